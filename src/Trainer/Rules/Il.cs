using System.Globalization;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Classic inference learning (`il`): the PC dynamics of <see cref="PcDynamics"/> from the feed-forward start,
/// relaxed for <see cref="InferenceSteps"/> steps at inference rate <see cref="Gamma"/>, after which every
/// parameter takes its Hebbian term from the errors of the last step. It approximates backprop (the closer the
/// smaller the output error and the nearer the relaxation to its equilibrium) but does not equal it, so
/// verification measures its divergence without treating it as a failure (<see cref="ILearningRule.IsExact"/>).
/// </summary>
public sealed class Il : ILearningRule
{
    public const int DefaultInferenceSteps = 20;
    public const double DefaultGamma = 0.1;

    private readonly PcDynamics _dynamics;

    public Il(int inferenceSteps = DefaultInferenceSteps, double gamma = DefaultGamma)
    {
        if (inferenceSteps < 1)
            throw new ArgumentException($"--inference-steps (T) of rule il must be at least 1, not {inferenceSteps}");
        if (!(gamma > 0 && gamma <= 1))
            throw new ArgumentException($"--gamma of rule il must be in (0, 1], not {gamma.ToString(CultureInfo.InvariantCulture)}");
        InferenceSteps = inferenceSteps;
        Gamma = gamma;
        _dynamics = new PcDynamics("il", new PcDynamicsOptions { Gate = UpdateGate.LastStep, Steps = inferenceSteps, Gamma = gamma });
    }

    public string Name => "il";
    public bool IsExact => false;
    public int InferenceSteps { get; }
    public double Gamma { get; }

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss) => _dynamics.Compute(model, batch, loss);
}
