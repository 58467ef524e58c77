using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Rules.Local;

namespace ZilOnnx.Trainer.Verification;

/// <summary>
/// A training step's update and, when the step is verified, backprop's on the same batch and parameters: from one
/// forward pass where the rule is Z-IL, the batch runs whole and sharing pays (<see cref="SharesForwardPass"/>,
/// <see cref="Zil.ComputeWithWitness"/>), else from a forward pass each. `finetune`, `verify` and `bench`'s zil+verify
/// all take their steps here, so the bench times what a verified run does.
/// </summary>
public static class VerifiedStep
{
    /// <summary>
    /// Whether a verified Z-IL step on this graph records one forward pass for both rules. Not where Z-IL keeps recurrent
    /// steps on autograd tapes (an LSTM with peepholes, other cell activations, clip, sequence lengths): it runs
    /// their kernels again on leaves of its own, and they are most of such a model's forward pass, so sharing saved no time
    /// there (bench, LSTM 2.05 and GRU 2.03 times bp's step with two passes, 2.02 and 2.06 with one, when their steps were on
    /// tapes) and held both rules' tapes at once (step memory 1.52 and 1.76 times bp's, against 1.05 and 1.07). The steps
    /// PyTorch exports take closed forms, whose gates the recording keeps, and share.
    /// </summary>
    public static bool SharesForwardPass(PcGraph graph) =>
        !LocalStrategies.For(graph).Any(s => s.Key.Op is RecurrentStepSpec && s.Value is AutogradTape);

    /// <param name="witness">Backprop as this batch runs (in chunks where the model fixes a smaller batch), or null for a step
    /// that is not verified.</param>
    /// <param name="beside">Where the forward pass is shared, run the witness's backward beside Z-IL's sweep, each on half the
    /// CPU threads (<see cref="WitnessBeside"/>, `--verify-beside`).</param>
    public static (RuleResult Update, RuleResult? Witness) Compute(ILearningRule rule, ILearningRule? witness, PcnModel model, Batch batch,
        ILoss loss, bool beside = false)
    {
        if (witness == null) return (rule.Compute(model, batch, loss), null);
        if (rule is Zil zil && witness is Backprop && SharesForwardPass(model.Graph))
            return zil.ComputeWithWitness(model, batch, loss, beside);
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
