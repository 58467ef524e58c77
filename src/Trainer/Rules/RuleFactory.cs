using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Rules;

/// <summary>The learning rules by their command-line names.</summary>
public static class RuleFactory
{
    public static readonly string[] Names = ["bp", "zil", "zil-relaxed", "fa-zil", "il"];

    /// <param name="ablation">Z-IL conditions broken in the named rule's dynamics (`--ablate`; <see cref="AblatedRule"/>).</param>
    /// <param name="inferenceSteps">T of `il`: the inference steps before its parameters take their terms.</param>
    /// <param name="gamma">The inference rate of `il`.</param>
    /// <param name="energyTolerance">`il --tol`: stop relaxing once the energy's relative change is at most this.</param>
    public static ILearningRule Create(string name, Ablation? ablation = null,
        int inferenceSteps = Il.DefaultInferenceSteps, double gamma = Il.DefaultGamma, double? energyTolerance = null)
    {
        if (ablation != null) return AblatedRule.Create(name, ablation, inferenceSteps, gamma, energyTolerance);
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
}
