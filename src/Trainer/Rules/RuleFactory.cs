using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Rules;

/// <summary>The learning rules by their command-line names.</summary>
public static class RuleFactory
{
    public static readonly string[] Names = ["bp", "zil", "zil-relaxed", "fa-zil", "il"];

    /// <param name="ablation">PC dynamics that break Z-IL conditions (`--ablate`); they replace the named rule.</param>
    /// <param name="inferenceSteps">T of `il`: the inference steps before its parameters take their terms.</param>
    /// <param name="gamma">The inference rate of `il`.</param>
    /// <param name="energyTolerance">`il --tol`: stop relaxing once the energy's relative change is at most this.</param>
    public static ILearningRule Create(string name, PcDynamicsOptions? ablation = null,
        int inferenceSteps = Il.DefaultInferenceSteps, double gamma = Il.DefaultGamma, double? energyTolerance = null)
    {
        if (ablation != null) return new PcDynamics(name + " (ablated)", Ablated(name, ablation));
        return name.ToLowerInvariant() switch
        {
            "bp" => new Backprop(),
            "zil" => new Zil(),
            "zil-relaxed" => new PcDynamics("zil-relaxed", new PcDynamicsOptions()),
            "il" => new Il(inferenceSteps, gamma, energyTolerance),
            "fa-zil" => new FaZil(),
            _ => throw new ArgumentException($"rule '{name}' is not one of {string.Join(", ", Names)}"),
        };
    }

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
