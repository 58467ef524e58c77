using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Losses;

/// <summary>
/// ce = mean over the batch of the softmax cross-entropy of the logits, with the classes on the last axis:
/// [B, C] for one prediction per sample, [B, T, C] for one per time step (many-to-many; the per-step losses
/// of a sample are summed). Targets are integer labels shaped like the logits without the class axis, or
/// probability rows shaped like the logits. With target rows t: dLoss/dz = (softmax(z) * sum(t) - t) / B.
/// </summary>
/// <remarks>
/// The output error is that derivative, but not evaluated from the closed form: it is the local derivative of
/// this loss function alone, taken by autograd on a leaf cut from the output's value (no graph reaches back into
/// the network, as with a kernel's local tape). So it runs the very operations backprop's witness runs at its
/// first backward step (log_softmax's backward, not softmax), and the error node holds bitwise the number in
/// backprop's gradient: Z-IL then equals BP bit for bit in float32 as well, where the closed form differs by
/// rounding (about 1e-7 relative per step) and, over an epoch, flips the odd near-tie test prediction.
/// </remarks>
public sealed class CrossEntropyLoss : ILoss
{
    public string Name => "ce";

    public Tensor Value(Tensor output, Tensor target)
    {
        var logProbabilities = nn.functional.log_softmax(output, -1);
        // Integer labels pick their log-probabilities (nll_loss), rather than multiplying by one-hot rows: the same
        // sum, without building and multiplying a [B, ..., C] tensor forward and backward at every step.
        Tensor summed = IsLabels(output, target)
            ? nn.functional.nll_loss(logProbabilities.reshape(-1, output.shape[^1]), target.to(ScalarType.Int64).reshape(-1), reduction: nn.Reduction.Sum)
            : -(target * logProbabilities).sum();
        return summed.DividedBy(output.shape[0]);
    }

    public Tensor OutputError(Tensor output, Tensor target)
    {
        var (value, error) = ValueAndOutputError(output, target);
        value.Dispose();
        return error;
    }

    public (Tensor Value, Tensor Error) ValueAndOutputError(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var logits = output.detach().requires_grad_(true);
        var value = Value(logits, target);
        var derivative = Gradients.Of([value], [logits])[0] ?? zeros_like(logits);
        return (value.detach().MoveToOuterDisposeScope(), derivative.neg().MoveToOuterDisposeScope());
    }

    /// <summary>
    /// True for integer labels shaped like the logits without the class axis, false for probability rows shaped like the
    /// logits; anything else is refused, naming both shapes.
    /// </summary>
    private static bool IsLabels(Tensor output, Tensor target)
    {
        if (output.dim() < 2)
            throw new ArgumentException($"ce needs logits of shape [batch, ..., classes], got [{string.Join(", ", output.shape)}]");
        if (target.dtype is ScalarType.Int64 or ScalarType.Int32)
        {
            if (!target.shape.SequenceEqual(output.shape[..^1]))
                throw new ArgumentException($"ce: labels [{string.Join(", ", target.shape)}] must have the logits' shape without the class axis ([{string.Join(", ", output.shape[..^1])}])");
            return true;
        }
        if (!target.shape.SequenceEqual(output.shape))
            throw new ArgumentException($"ce: target rows [{string.Join(", ", target.shape)}] must have the output's shape [{string.Join(", ", output.shape)}]");
        return false;
    }
}
