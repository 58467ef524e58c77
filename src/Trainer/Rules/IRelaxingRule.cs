namespace ZilOnnx.Trainer.Rules;

/// <summary>A rule that runs the PC relaxation step by step, so that a study can watch it (`verify --energy`).</summary>
public interface IRelaxingRule : ILearningRule
{
    /// <summary>The same rule, with the observer seeing every inference step.</summary>
    ILearningRule Observed(IInferenceObserver observer);
}
