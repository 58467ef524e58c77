using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Trainer.Verification;

/// <summary>
/// A training step's update and, when the step is verified, backprop's on the same batch and parameters: from one
/// forward pass where the rule is Z-IL and the batch runs whole (<see cref="Zil.ComputeWithWitness"/>), else from a
/// forward pass each. `finetune`, `verify` and `bench`'s zil+verify all take their steps here, so the bench times what
/// a verified run does.
/// </summary>
public static class VerifiedStep
{
    /// <param name="witness">Backprop as this batch runs (in chunks where the model fixes a smaller batch), or null for a step
    /// that is not verified.</param>
    public static (RuleResult Update, RuleResult? Witness) Compute(ILearningRule rule, ILearningRule? witness, PcnModel model, Batch batch,
        ILoss loss)
    {
        if (witness == null) return (rule.Compute(model, batch, loss), null);
        if (rule is Zil zil && witness is Backprop) return zil.ComputeWithWitness(model, batch, loss);
        var update = rule.Compute(model, batch, loss);
        try
        {
            return (update, witness.Compute(model, batch, loss));
        }
        catch
        {
            update.Dispose();
            throw;
        }
    }
}
