using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Losses;

/// <summary>mse = mean over the batch of 1/2 * sum_k (y_k - out_k)^2, so eps_out = (y - out) / B.</summary>
public sealed class MeanSquaredErrorLoss : ILoss
{
    public string Name => "mse";

    public Tensor Value(Tensor output, Tensor target)
    {
        CheckShapes(output, target);
        return (target - output).Squared().sum().Times(0.5 / output.shape[0]);
    }

    public Tensor OutputError(Tensor output, Tensor target)
    {
        CheckShapes(output, target);
        return (target - output).DividedBy(output.shape[0]);
    }

    private static void CheckShapes(Tensor output, Tensor target)
    {
        if (!output.shape.SequenceEqual(target.shape))
            throw new ArgumentException($"mse: targets [{string.Join(", ", target.shape)}] must have the output's shape [{string.Join(", ", output.shape)}]");
    }
}
