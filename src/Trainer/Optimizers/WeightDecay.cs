using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Optimizers;

/// <summary>
/// torch.optim's L2 weight decay (SGD's and Adam's weight_decay; not AdamW's decoupled form): the gradient the
/// optimizer works with is g = grad + wd * theta, with grad = -update, the rule's own update negated. Every
/// optimizer starts from this g, so the decay applies on top of whichever rule produced the update.
/// </summary>
internal static class WeightDecay
{
    public static double Validate(double weightDecay) => double.IsFinite(weightDecay) && weightDecay >= 0
        ? weightDecay
        : throw new ArgumentException($"weight decay must be a finite number >= 0, not {weightDecay}");

    /// <summary>A new tensor g; negating the update is exact, so without decay this is bit for bit -update.</summary>
    public static Tensor Gradient(Tensor update, Tensor parameter, double weightDecay)
    {
        var gradient = update.neg();
        // grad.add(param, alpha=weight_decay), as torch.optim writes it.
        return weightDecay == 0 ? gradient : gradient.AddInPlace(parameter, alpha: weightDecay);
    }
}
