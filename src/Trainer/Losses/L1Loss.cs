using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Losses;

/// <summary>
/// l1 = sum_k |y_k - out_k| over a sample's elements, mean over the batch (reduction sample), or torch.nn.L1Loss, the
/// mean over all M elements (reduction mean). eps_out = sign(y - out) / B or / M, 0 where out = y (autograd's sign).
/// </summary>
public sealed class L1Loss(LossReduction reduction = LossReduction.Sample) : LocallyDerivedLoss
{
    public override string Name => "l1";

    public override Tensor Value(Tensor output, Tensor target)
    {
        RequireOutputShape(output, target);
        return reduction == LossReduction.Sample
            ? nn.functional.l1_loss(output, target, nn.Reduction.Sum).DividedBy(output.size(0))
            : nn.functional.l1_loss(output, target, nn.Reduction.Mean);
    }
}
