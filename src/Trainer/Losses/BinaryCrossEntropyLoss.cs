using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Losses;

/// <summary>
/// bce = torch.nn.BCEWithLogitsLoss: for logits z and multi-label targets y in [0, 1] shaped like the output,
/// l_k = -(y_k log sigmoid(z_k) + (1 - y_k) log(1 - sigmoid(z_k))), summed over a sample's elements and averaged over
/// the batch (reduction sample), or averaged over all M elements (reduction mean). eps_out = (y - sigmoid(z)) / B or / M.
/// It takes logits: a model whose last node is Sigmoid is trained on that node's input, as ce skips a final Softmax.
/// </summary>
public sealed class BinaryCrossEntropyLoss(LossReduction reduction = LossReduction.Sample) : LocallyDerivedLoss
{
    public override string Name => "bce";

    public override bool AppliesSigmoid => true;

    public override Tensor Value(Tensor output, Tensor target)
    {
        RequireOutputShape(output, target);
        return reduction == LossReduction.Sample
            ? nn.functional.binary_cross_entropy_with_logits(output, target, reduction: nn.Reduction.Sum).DividedBy(output.size(0))
            : nn.functional.binary_cross_entropy_with_logits(output, target, reduction: nn.Reduction.Mean);
    }
}
