using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Optimizers;

/// <summary>torch.optim.Adam with its defaults (betas 0.9, 0.999; eps 1e-8; no weight decay), g = -update.</summary>
public sealed class Adam(double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) : IOptimizer
{
    private readonly Dictionary<string, Tensor> _state = [];

    public string Name => "adam";
    public IReadOnlyDictionary<string, Tensor> State => _state;
    public long Steps { get; private set; }

    public void Step(IReadOnlyDictionary<string, Tensor> parameters, IReadOnlyDictionary<string, Tensor> updates)
    {
        using var _ = no_grad();
        Steps++;
        double correction1 = 1 - Math.Pow(beta1, Steps), correction2 = 1 - Math.Pow(beta2, Steps);
        foreach (var (name, update) in updates)
        {
            var m = Moment(name + ".exp_avg", update);
            var v = Moment(name + ".exp_avg_sq", update);
            m.MulInPlace(beta1).AddInPlace(update, alpha: -(1 - beta1));
            v.MulInPlace(beta2).AddProductInPlace(update, update, value: 1 - beta2);
            using var denominator = v.sqrt().DividedBy(Math.Sqrt(correction2)).AddInPlace(epsilon);
            parameters[name].AddQuotientInPlace(m, denominator, value: -learningRate / correction1);
        }
    }

    private Tensor Moment(string key, Tensor like)
    {
        // Optimizer state lives as long as the run, outside any step's dispose scope.
        if (!_state.TryGetValue(key, out var t)) _state[key] = t = zeros_like(like).DetachFromDisposeScope();
        return t;
    }

    public void Restore(IReadOnlyDictionary<string, Tensor> state, long steps)
    {
        _state.Clear();
        foreach (var (k, v) in state) _state[k] = v.clone().DetachFromDisposeScope();
        Steps = steps;
    }
}
