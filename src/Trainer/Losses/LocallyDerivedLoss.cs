using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Losses;

/// <summary>
/// A loss whose output error is the local derivative of its own <see cref="Value"/>, taken by autograd on a leaf cut
/// from the output's value: eps_out = -dLoss/d(output), with no graph reaching back into the network (as with a
/// kernel's local tape).
/// </summary>
/// <remarks>
/// Not a closed form: the leaf runs the very operations backprop's witness runs at its first backward step (for ce
/// log_softmax's backward, not (t - softmax) / B; for bce the backward of binary_cross_entropy_with_logits), so the
/// error node holds bitwise the number in backprop's gradient and Z-IL equals BP bit for bit in float32 as well. A
/// closed form differs from it by rounding (about 1e-7 relative per step in float32) and, over an epoch, flips the odd
/// near-tie prediction. Every loss and reduction keeps this property by deriving from this class; where a loss computes
/// its error without the autograd call (ce's labels, <see cref="CrossEntropyLoss.ValueAndOutputError"/>), it runs the
/// operators that call runs, in its order.
/// </remarks>
public abstract class LocallyDerivedLoss : ILoss
{
    public abstract string Name { get; }
    public abstract Tensor Value(Tensor output, Tensor target);
    public virtual bool AppliesSoftmax => false;
    public virtual bool AppliesSigmoid => false;

    public Tensor OutputError(Tensor output, Tensor target)
    {
        var (value, error) = ValueAndOutputError(output, target);
        value.Dispose();
        return error;
    }

    public virtual (Tensor Value, Tensor Error) ValueAndOutputError(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var leaf = output.detach().requires_grad_(true);
        var value = Value(leaf, target);
        var derivative = Gradients.Of([value], [leaf])[0] ?? zeros_like(leaf);
        return (value.detach().MoveToOuterDisposeScope(), derivative.neg().MoveToOuterDisposeScope());
    }

    /// <summary>Targets shaped like the output (mse, l1, bce), or an error naming both shapes.</summary>
    protected void RequireOutputShape(Tensor output, Tensor target)
    {
        if (!output.Sizes().SequenceEqual(target.Sizes()))
            throw new ArgumentException($"{Name}: targets {Format(target.Sizes())} must have the output's shape {Format(output.Sizes())}");
    }

    protected static string Format(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
