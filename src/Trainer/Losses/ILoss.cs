using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Losses;

/// <summary>
/// A batch-mean loss as docs/algorithms.md defines it. <see cref="Value"/> is differentiable (BP's witness takes its
/// gradient with autograd); <see cref="OutputError"/> is the clamped output's error node,
/// eps_out = -dLoss/d(output): the derivative of the loss function alone at the output's value, never a gradient
/// through the network (taken locally, see <see cref="LocallyDerivedLoss"/>).
/// </summary>
public interface ILoss
{
    string Name { get; }

    /// <summary>The loss applies softmax itself (ce): a model's final Softmax/LogSoftmax is skipped in training.</summary>
    bool AppliesSoftmax => false;

    /// <summary>The loss applies the logistic sigmoid itself (bce): a model's final Sigmoid is skipped in training.</summary>
    bool AppliesSigmoid => false;
    Tensor Value(Tensor output, Tensor target);
    Tensor OutputError(Tensor output, Tensor target);

    /// <summary>
    /// <see cref="Value"/> (detached) and <see cref="OutputError"/> at once, bitwise the two calls' results, for a rule
    /// that needs both: a loss that derives its error from its value computes the value only once.
    /// </summary>
    (Tensor Value, Tensor Error) ValueAndOutputError(Tensor output, Tensor target)
    {
        using var _ = TorchSharp.torch.no_grad();
        return (Value(output, target), OutputError(output, target));
    }
}
