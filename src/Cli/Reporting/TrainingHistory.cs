using ZilOnnx.Trainer.Training;

namespace ZilOnnx.Cli.Reporting;

/// <summary>What a fine-tuning run has seen so far: every step, and the held-out evaluations with the step they followed.</summary>
public sealed class TrainingHistory
{
    public List<TrainingStep> Steps { get; } = [];
    public List<(long Step, EvaluationResult Result)> HeldOut { get; } = [];
}
