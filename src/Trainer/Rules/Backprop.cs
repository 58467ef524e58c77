using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>Autograd over the whole graph: the reference every other rule is verified against.</summary>
public sealed class Backprop : ILearningRule
{
    public string Name => "bp";

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss)
    {
        using var scope = NewDisposeScope();
        return Backward(RecordedForward.Of(model, batch), batch, loss);
    }

    /// <summary>
    /// The update from a recorded forward pass: one autograd call over the whole graph. The result's tensors go to the
    /// dispose scope outside the caller's.
    /// </summary>
    public static RuleResult Backward(RecordedForward forward, Batch batch, ILoss loss)
    {
        var lossValue = loss.Value(forward.Output, batch.Targets);
        var names = forward.Roots.Keys.ToList();
        // The update is -dLoss/dtheta: differentiating with an output gradient of -1 negates every product on the way,
        // exactly (each backward operation is linear in the gradient it receives), instead of negating each result.
        using var minusOne = ones([], lossValue.dtype, lossValue.device).neg_();
        var gradients = Gradients.Of([lossValue], names.Select(n => forward.Roots[n]).ToList(), [minusOne]);
        var updates = new Dictionary<string, Tensor>();
        for (int i = 0; i < names.Count; i++)
            updates[names[i]] = (gradients[i] ?? zeros_like(forward.Roots[names[i]])).MoveToOuterDisposeScope();
        return new RuleResult(updates, lossValue.ToDouble(), forward.Output.detach().MoveToOuterDisposeScope());
    }
}
