using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Optimizers;

/// <summary>
/// torch.optim.Adam (amsgrad false) with its defaults betas (0.9, 0.999) and eps 1e-8: at step s,
/// g = grad + wd * theta (L2 decay, see <see cref="WeightDecay"/>), m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
/// theta -= lr(s) / (1 - b1^s) * m / (sqrt(v) / sqrt(1 - b2^s) + eps), with lr(s) the schedule's rate.
/// Here grad = -update.
/// </summary>
public sealed class Adam(double learningRate, double weightDecay = 0, LearningRateSchedule? schedule = null,
    double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) : IOptimizer
{
    private readonly Dictionary<string, Tensor> _state = [];
    private readonly double _weightDecay = WeightDecay.Validate(weightDecay);
    private readonly LearningRateSchedule _schedule = schedule ?? LearningRateSchedule.Constant;

    public string Name => "adam";
    public IReadOnlyDictionary<string, Tensor> State => _state;
    public long Steps { get; private set; }

    public void Step(IReadOnlyDictionary<string, Tensor> parameters, IReadOnlyDictionary<string, Tensor> updates)
    {
        using var _ = no_grad();
        Steps++;
        double rate = _schedule.Rate(learningRate, Steps);
        double correction1 = 1 - Math.Pow(beta1, Steps), correction2 = 1 - Math.Pow(beta2, Steps);
        foreach (var (name, update) in updates)
        {
            var parameter = parameters[name];
            using var gradient = WeightDecay.Gradient(update, parameter, _weightDecay);
            var m = Moment(name + ".exp_avg", update);
            var v = Moment(name + ".exp_avg_sq", update);
            m.MulInPlace(beta1).AddInPlace(gradient, alpha: 1 - beta1);
            v.MulInPlace(beta2).AddProductInPlace(gradient, gradient, value: 1 - beta2);
            using var denominator = v.sqrt().DividedBy(Math.Sqrt(correction2)).AddInPlace(epsilon);
            parameter.AddQuotientInPlace(m, denominator, value: -rate / correction1);
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
