using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Losses;

/// <summary>
/// A batch-mean loss as docs/algorithms.md defines it. <see cref="Value"/> is differentiable (BP's witness takes its
/// gradient with autograd); <see cref="OutputError"/> is the clamped output's error node,
/// eps_out = -dLoss/d(output), written out explicitly so the PC rules never call autograd on the loss.
/// </summary>
public interface ILoss
{
    string Name { get; }
    Tensor Value(Tensor output, Tensor target);
    Tensor OutputError(Tensor output, Tensor target);
}

public static class LossFactory
{
    public static ILoss Create(string name) => name.ToLowerInvariant() switch
    {
        "mse" => new MeanSquaredErrorLoss(),
        "ce" => new CrossEntropyLoss(),
        _ => throw new ArgumentException($"loss '{name}' is not one of mse, ce"),
    };
}
