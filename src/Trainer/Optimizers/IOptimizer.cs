using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Optimizers;

/// <summary>
/// Turns a rule's -dLoss/dtheta into a parameter step, with PyTorch's update formulas so that trajectories
/// can be compared with torch.optim step for step. Weight decay and the learning-rate schedule are the
/// optimizer's, so they apply on top of any rule. State is kept per parameter name for checkpoints; the
/// schedule needs none, since the rate is a function of the step count.
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
    /// <summary>The momentum of `momentum` unless told otherwise (torch.optim.SGD has none by default; 0.9 is the usual).</summary>
    public const double DefaultMomentum = 0.9;

    /// <param name="momentum">Used by `momentum` only.</param>
    public static IOptimizer Create(string name, double learningRate, double momentum = DefaultMomentum, double weightDecay = 0,
        LearningRateSchedule? schedule = null) => name.ToLowerInvariant() switch
        {
            "sgd" => new Sgd(learningRate, momentum: 0, weightDecay, schedule),
            "momentum" => new Sgd(learningRate, momentum, weightDecay, schedule),
            "adam" => new Adam(learningRate, weightDecay, schedule),
            _ => throw new ArgumentException($"optimizer '{name}' is not one of sgd, momentum, adam"),
        };
}
