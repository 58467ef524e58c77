using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Rules;

/// <summary>The learning rules by their command-line names.</summary>
public static class RuleFactory
{
    public static readonly string[] Names = ["bp", "zil", "zil-relaxed", "fa-zil", "il", "ipc", "fpa", "zil+pc"];

    /// <param name="ablation">Z-IL conditions broken in the named rule's dynamics (`--ablate`; <see cref="AblatedRule"/>).</param>
    /// <param name="inferenceSteps">T of `il` and `ipc`, n of `fpa`; null for each rule's default (fpa's: the depth).</param>
    /// <param name="gamma">The inference rate of `il`, `ipc`, `fpa` and `zil+pc`; null for each rule's default.</param>
    /// <param name="energyTolerance">`il --tol`: stop relaxing once the energy's relative change is at most this.</param>
    /// <param name="outputWeight">S, the weight of the output energy of the rules with relaxed dynamics.</param>
    /// <param name="pcSteps">K of `zil+pc`, the relaxed steps after Z-IL's.</param>
    /// <param name="learningRate">The rate at which `ipc` and `zil+pc` move their working weights during inference.</param>
    public static ILearningRule Create(string name, Ablation? ablation = null,
        int? inferenceSteps = null, double? gamma = null, double? energyTolerance = null, double outputWeight = 1,
        int pcSteps = ZilPlusPc.DefaultPcSteps, double learningRate = DefaultLearningRate)
    {
        if (ablation != null)
            return AblatedRule.Create(name, ablation with { Dynamics = ablation.Dynamics with { OutputWeight = outputWeight } },
                inferenceSteps ?? Il.DefaultInferenceSteps, gamma ?? Il.DefaultGamma, energyTolerance);
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
}
