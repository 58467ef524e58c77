using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Losses;

/// <summary>
/// mse. Reduction sample: mean over the batch of 1/2 * sum_k (y_k - out_k)^2, so eps_out = (y - out) / B. Reduction
/// mean: torch.nn.MSELoss, the mean of (y_k - out_k)^2 over all M elements (no 1/2), so eps_out = 2 (y - out) / M.
/// </summary>
public sealed class MeanSquaredErrorLoss(LossReduction reduction = LossReduction.Sample) : LocallyDerivedLoss
{
    public override string Name => "mse";

    public override Tensor Value(Tensor output, Tensor target)
    {
        RequireOutputShape(output, target);
        return reduction == LossReduction.Sample
            ? (target - output).Squared().sum().Times(0.5 / output.size(0))
            : nn.functional.mse_loss(output, target, nn.Reduction.Mean);
    }
}
