using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Trainer.Training;

/// <summary>What one training step reports.</summary>
/// <param name="Divergences">Per-parameter divergence from BP when this step was verified, else null.</param>
public sealed record TrainingStep(long Step, double Loss, double Accuracy, IReadOnlyList<ParameterDivergence>? Divergences,
    TimeSpan Elapsed)
{
    /// <summary>The inference steps the rule's relaxation ran (rules with PC dynamics), else null.</summary>
    public int? InferenceSteps { get; init; }

    public double? MaxRelativeDivergence => Divergences?.Select(d => d.MaxRel).LargestOrNaN();
    public double? MaxAbsoluteDivergence => Divergences?.Select(d => d.MaxAbs).LargestOrNaN();
}
