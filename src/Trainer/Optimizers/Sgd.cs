using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Optimizers;

/// <summary>
/// torch.optim.SGD (dampening 0, nesterov false): g = grad + wd * theta (see <see cref="WeightDecay"/>); with
/// momentum mu: b = mu * b + g (b = g at the first step) and g = b; then theta -= lr(s) * g, with lr(s) the
/// schedule's rate for step s. Here grad = -update.
/// </summary>
public sealed class Sgd : IOptimizer
{
    private readonly Dictionary<string, Tensor> _buffers = [];
    private readonly double _learningRate, _momentum, _weightDecay;
    private readonly LearningRateSchedule _schedule;

    public Sgd(double learningRate, double momentum, double weightDecay = 0, LearningRateSchedule? schedule = null)
    {
        _learningRate = learningRate;
        // torch.optim.SGD accepts any momentum >= 0.
        _momentum = double.IsFinite(momentum) && momentum >= 0 ? momentum
            : throw new ArgumentException($"momentum must be a finite number >= 0, not {momentum}");
        _weightDecay = WeightDecay.Validate(weightDecay);
        _schedule = schedule ?? LearningRateSchedule.Constant;
    }

    public string Name => _momentum == 0 ? "sgd" : "momentum";
    public IReadOnlyDictionary<string, Tensor> State => _buffers;
    public long Steps { get; private set; }

    public void Step(IReadOnlyDictionary<string, Tensor> parameters, IReadOnlyDictionary<string, Tensor> updates)
    {
        using var _ = no_grad();
        double learningRate = _schedule.Rate(_learningRate, Steps + 1);
        foreach (var (name, update) in updates)
        {
            var parameter = parameters[name];
            // Plain SGD adds lr * update: theta - lr * (-update) bit for bit (negation is exact), without the copy.
            if (_momentum == 0 && _weightDecay == 0) { parameter.AddInPlace(update, alpha: learningRate); continue; }
            using var gradient = WeightDecay.Gradient(update, parameter, _weightDecay);
            if (_momentum == 0) { parameter.AddInPlace(gradient, alpha: -learningRate); continue; }
            // Buffers live as long as the run, outside any step's dispose scope.
            if (_buffers.TryGetValue(name, out var buffer)) buffer.MulInPlace(_momentum).AddInPlace(gradient);
            else _buffers[name] = buffer = gradient.clone().DetachFromDisposeScope();
            parameter.AddInPlace(buffer, alpha: -learningRate);
        }
        Steps++;
    }

    public void Restore(IReadOnlyDictionary<string, Tensor> state, long steps)
    {
        _buffers.Clear();
        foreach (var (k, v) in state) _buffers[k] = v.clone().DetachFromDisposeScope();
        Steps = steps;
    }
}
