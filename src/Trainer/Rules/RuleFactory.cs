namespace ZilOnnx.Trainer.Rules;

/// <summary>The learning rules by their command-line names.</summary>
public static class RuleFactory
{
    public static readonly string[] Names = ["bp", "zil", "zil-relaxed", "il"];

    /// <param name="ablation">PC dynamics that break Z-IL conditions (`--ablate`); they replace the named rule.</param>
    /// <param name="inferenceSteps">T of `il`: the inference steps before its parameters take their terms.</param>
    /// <param name="gamma">The inference rate of `il`.</param>
    public static ILearningRule Create(string name, PcDynamicsOptions? ablation = null,
        int inferenceSteps = Il.DefaultInferenceSteps, double gamma = Il.DefaultGamma)
    {
        if (ablation != null) return new PcDynamics(name + " (ablated)", ablation);
        return name.ToLowerInvariant() switch
        {
            "bp" => new Backprop(),
            "zil" => new Zil(),
            "zil-relaxed" => new PcDynamics("zil-relaxed", new PcDynamicsOptions()),
            "il" => new Il(inferenceSteps, gamma),
            "fa-zil" => throw new ArgumentException($"rule '{name}' is not available yet (available: {string.Join(", ", Names)})"),
            _ => throw new ArgumentException($"rule '{name}' is not one of {string.Join(", ", Names)}"),
        };
    }
}
