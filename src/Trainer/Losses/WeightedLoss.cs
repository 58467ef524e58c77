using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Losses;

/// <summary>
/// A loss weighted by S: its value and its output error are S times the inner loss's. The PC dynamics use it for the
/// weight of the output's energy (`--output-weight`), which makes the clamped output's error node S times smaller next
/// to the hidden ones.
/// </summary>
public sealed class WeightedLoss(ILoss inner, double weight) : ILoss
{
    public string Name => inner.Name;
    public bool AppliesSoftmax => inner.AppliesSoftmax;
    public bool AppliesSigmoid => inner.AppliesSigmoid;
    public double Weight => weight;
    public Tensor Value(Tensor output, Tensor target) => inner.Value(output, target).Times(weight);
    public Tensor OutputError(Tensor output, Tensor target) => inner.OutputError(output, target).Times(weight);
}
