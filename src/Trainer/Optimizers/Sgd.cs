using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Optimizers;

/// <summary>
/// torch.optim.SGD: theta -= lr * g, or with momentum mu: b = mu * b + g (b = g at the first step),
/// theta -= lr * b. Here g = -update.
/// </summary>
public sealed class Sgd(double learningRate, double momentum) : IOptimizer
{
    private readonly Dictionary<string, Tensor> _buffers = [];

    public string Name => momentum == 0 ? "sgd" : "momentum";
    public IReadOnlyDictionary<string, Tensor> State => _buffers;
    public long Steps { get; private set; }

    public void Step(IReadOnlyDictionary<string, Tensor> parameters, IReadOnlyDictionary<string, Tensor> updates)
    {
        using var _ = no_grad();
        foreach (var (name, update) in updates)
        {
            if (momentum == 0) { parameters[name].AddInPlace(update, alpha: learningRate); continue; }
            if (_buffers.TryGetValue(name, out var buffer)) buffer.MulInPlace(momentum).sub_(update);
            else _buffers[name] = buffer = (-update).detach().clone().DetachFromDisposeScope();
            parameters[name].AddInPlace(buffer, alpha: -learningRate);
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
