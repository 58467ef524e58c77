using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Rules;

/// <summary>The learning rules by their command-line names.</summary>
public static class RuleFactory
{
    public static readonly string[] Names = ["bp", "zil", "zil-relaxed", "fa-zil", "il", "ipc", "fpa", "zil+pc"];

    /// <param name="ablation">PC dynamics that break Z-IL conditions (`--ablate`); they replace the named rule.</param>
    /// <param name="inferenceSteps">T of `il` and `ipc`, n of `fpa`; null for each rule's default (fpa's: the depth).</param>
    /// <param name="gamma">The inference rate of `il`, `ipc`, `fpa` and `zil+pc`; null for each rule's default.</param>
    /// <param name="energyTolerance">`il --tol`: stop relaxing once the energy's relative change is at most this.</param>
    /// <param name="outputWeight">S, the weight of the output energy of the rules with relaxed dynamics.</param>
    /// <param name="pcSteps">K of `zil+pc`, the relaxed steps after Z-IL's.</param>
    /// <param name="learningRate">The rate at which `ipc` and `zil+pc` move their working weights during inference.</param>
    public static ILearningRule Create(string name, PcDynamicsOptions? ablation = null,
        int? inferenceSteps = null, double? gamma = null, double? energyTolerance = null, double outputWeight = 1,
        int pcSteps = ZilPlusPc.DefaultPcSteps, double learningRate = DefaultLearningRate)
    {
        if (ablation != null) return new PcDynamics(name + " (ablated)", Ablated(name, ablation));
        return name.ToLowerInvariant() switch
        {
            "bp" => new Backprop(),
            "zil" => new Zil(),
            "zil-relaxed" => new PcDynamics("zil-relaxed", new PcDynamicsOptions { OutputWeight = outputWeight }),
            "il" => new Il(inferenceSteps ?? Il.DefaultInferenceSteps, gamma ?? Il.DefaultGamma, energyTolerance,
                outputWeight: outputWeight),
            "fa-zil" => new FaZil(outputWeight),
            "ipc" => new Ipc(inferenceSteps ?? Ipc.DefaultInferenceSteps, gamma ?? Ipc.DefaultGamma, learningRate, outputWeight),
            "fpa" => new Fpa(inferenceSteps, gamma ?? Fpa.DefaultGamma, outputWeight),
            "zil+pc" => new ZilPlusPc(pcSteps, gamma ?? Il.DefaultGamma, learningRate),
            _ => throw new ArgumentException($"rule '{name}' is not one of {string.Join(", ", Names)}"),
        };
    }

    /// <summary>The --lr default, for a rule made without a run (a checkpoint's rule name checked, a memory estimate).</summary>
    public const double DefaultLearningRate = 0.01;

    /// <summary>
    /// Ablations act on the scheduled dynamics of zil-relaxed, or, for `--rule fa-zil`, on the autonomous latches
    /// (gamma, a noisy start, no levelling, shared-weight handling), unless they replace the gate themselves
    /// (all-steps, last-step). fa-zil has no schedule to shift.
    /// </summary>
    private static PcDynamicsOptions Ablated(string name, PcDynamicsOptions ablation)
    {
        if (!name.Equals("fa-zil", StringComparison.OrdinalIgnoreCase) || ablation.Gate != UpdateGate.Scheduled) return ablation;
        if (ablation.ScheduleShift != 0)
            throw new SettingException($"{Setting.Ablation} schedule-shift does not apply to {Setting.Rule} fa-zil: it has no schedule");
        return ablation with { Gate = UpdateGate.Autonomous };
    }
}
