using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Training;

namespace ZilOnnx.Trainer.Rules;

/// <summary>A rule that runs the PC relaxation step by step, so that a study can watch it (`verify --energy`).</summary>
public interface IRelaxingRule : ILearningRule
{
    /// <summary>The same rule, with the observer seeing every inference step.</summary>
    ILearningRule Observed(IInferenceObserver observer);

    /// <summary>
    /// Runs the relaxation again on the batch, watching for the first prediction, error, energy, displacement or value node
    /// that is not finite (a failed step's diagnosis); null when all stay finite. Rules whose relaxation is not a
    /// <see cref="PcDynamics"/> of their own say nothing.
    /// </summary>
    NonFiniteOrigin? LocateNonFinite(PcnModel model, Batch batch, ILoss loss) => null;
}
