using System.Globalization;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Settings;
using ZilOnnx.Trainer.Training;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Classic inference learning (`il`): the PC dynamics of <see cref="PcDynamics"/> from the feed-forward start,
/// relaxed for <see cref="InferenceSteps"/> steps (or until the energy settles, `--tol`) at inference rate <see cref="Gamma"/>, after which
/// every
/// parameter takes its Hebbian term from the errors of the last step. It approximates backprop (the closer the
/// smaller the output error and the nearer the relaxation to its equilibrium) but does not equal it, so
/// verification measures its divergence without treating it as a failure (<see cref="ILearningRule.IsExact"/>).
/// </summary>
public sealed class Il : IRelaxingRule
{
    public ILearningRule Observed(IInferenceObserver observer) => _dynamics.Observed(observer);

    public NonFiniteOrigin? LocateNonFinite(PcnModel model, Batch batch, ILoss loss) => _dynamics.LocateNonFinite(model, batch, loss);

    public const int DefaultInferenceSteps = 20;
    public const double DefaultGamma = 0.1;
    /// <summary>
    /// The most inference steps a relaxation may take: far more than any stable one needs to settle (LeNet-5's, a few
    /// hundred), and few enough that a slip of the keyboard (`--T 2000000`) does not run for days.
    /// </summary>
    public const int MaxInferenceSteps = 100_000;

    private readonly PcDynamics _dynamics;

    /// <param name="energyTolerance">`--tol`: stop before T once |F_t - F_(t-1)| &lt;= tol * |F_(t-1)|; null runs all T steps.</param>
    /// <param name="observer">Sees every step's energy and terms (the studies).</param>
    public Il(int inferenceSteps = DefaultInferenceSteps, double gamma = DefaultGamma, double? energyTolerance = null,
        IInferenceObserver? observer = null)
    {
        if (energyTolerance is { } tol && !(tol >= 0 && double.IsFinite(tol)))
            throw new SettingException($"{Setting.EnergyTolerance} of rule il must be a finite number >= 0, " +
                $"not {tol.ToString(CultureInfo.InvariantCulture)}");
        if (inferenceSteps is < 1 or > MaxInferenceSteps)
            throw new SettingException(
                $"{Setting.InferenceSteps} (T) of rule il must be from 1 to {MaxInferenceSteps}, not {inferenceSteps}");
        if (!(gamma > 0 && gamma <= 1))
            throw new SettingException($"{Setting.Gamma} of rule il must be in (0, 1], not {gamma.ToString(CultureInfo.InvariantCulture)}");
        InferenceSteps = inferenceSteps;
        Gamma = gamma;
        EnergyTolerance = energyTolerance;
        _dynamics = new PcDynamics("il", new PcDynamicsOptions
        {
            Gate = UpdateGate.LastStep, Steps = inferenceSteps, Gamma = gamma, EnergyTolerance = energyTolerance, Observer = observer,
        });
    }

    public string Name => "il";
    public bool IsExact => false;
    public int InferenceSteps { get; }
    public double Gamma { get; }
    public double? EnergyTolerance { get; }

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss) => _dynamics.Compute(model, batch, loss);
}
