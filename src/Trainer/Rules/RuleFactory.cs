namespace ZilOnnx.Trainer.Rules;

/// <summary>The learning rules by their command-line names.</summary>
public static class RuleFactory
{
    public static readonly string[] Names = ["bp", "zil", "zil-relaxed"];

    public static ILearningRule Create(string name, PcDynamicsOptions? ablation = null)
    {
        if (ablation != null) return new PcDynamics(name + " (ablated)", ablation);
        return name.ToLowerInvariant() switch
        {
            "bp" => new Backprop(),
            "zil" => new Zil(),
            "zil-relaxed" => new PcDynamics("zil-relaxed", new PcDynamicsOptions()),
            "fa-zil" or "il" => throw new ArgumentException($"rule '{name}' is not available yet (available: {string.Join(", ", Names)})"),
            _ => throw new ArgumentException($"rule '{name}' is not one of {string.Join(", ", Names)}"),
        };
    }
}
