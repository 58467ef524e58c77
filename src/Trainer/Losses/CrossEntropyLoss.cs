using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Losses;

/// <summary>
/// ce = mean over the batch of the softmax cross-entropy of logits [B, C] against integer labels [B] or
/// probability rows [B, C]. With target rows t: dLoss/dz = (softmax(z) * sum(t) - t) / B.
/// </summary>
public sealed class CrossEntropyLoss : ILoss
{
    public string Name => "ce";

    public Tensor Value(Tensor output, Tensor target)
    {
        var rows = TargetRows(output, target);
        return -(rows * nn.functional.log_softmax(output, 1)).sum() / output.shape[0];
    }

    public Tensor OutputError(Tensor output, Tensor target)
    {
        var rows = TargetRows(output, target);
        return (rows - nn.functional.softmax(output, 1) * rows.sum(1, keepdim: true)) / output.shape[0];
    }

    /// <summary>Integer labels become one-hot rows in the output's dtype; probability rows pass through.</summary>
    private static Tensor TargetRows(Tensor output, Tensor target)
    {
        if (output.dim() != 2)
            throw new ArgumentException($"ce needs logits of shape [batch, classes], got [{string.Join(", ", output.shape)}]");
        long classes = output.shape[1];
        if (target.dtype is ScalarType.Int64 or ScalarType.Int32)
        {
            if (target.dim() != 1 || target.shape[0] != output.shape[0])
                throw new ArgumentException($"ce: labels [{string.Join(", ", target.shape)}] must be one per sample ({output.shape[0]})");
            return nn.functional.one_hot(target.to(ScalarType.Int64), classes).to(output.dtype);
        }
        if (!target.shape.SequenceEqual(output.shape))
            throw new ArgumentException($"ce: target rows [{string.Join(", ", target.shape)}] must have the output's shape [{string.Join(", ", output.shape)}]");
        return target;
    }
}
