using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Optimizers;

/// <summary>
/// Turns a rule's -dLoss/dtheta into a parameter step, with PyTorch's update formulas so that trajectories
/// can be compared with torch.optim step for step. State is kept per parameter name for checkpoints.
/// </summary>
public interface IOptimizer
{
    string Name { get; }
    void Step(IReadOnlyDictionary<string, Tensor> parameters, IReadOnlyDictionary<string, Tensor> updates);

    /// <summary>Named state tensors (momentum buffers, moments) and the step count, for checkpoints.</summary>
    IReadOnlyDictionary<string, Tensor> State { get; }
    long Steps { get; }
    void Restore(IReadOnlyDictionary<string, Tensor> state, long steps);
}

public static class OptimizerFactory
{
    public static IOptimizer Create(string name, double learningRate) => name.ToLowerInvariant() switch
    {
        "sgd" => new Sgd(learningRate, momentum: 0),
        "momentum" => new Sgd(learningRate, momentum: 0.9),
        "adam" => new Adam(learningRate),
        _ => throw new ArgumentException($"optimizer '{name}' is not one of sgd, momentum, adam"),
    };
}
