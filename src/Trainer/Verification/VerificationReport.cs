using ZilOnnx.Trainer.Training;

namespace ZilOnnx.Trainer.Verification;

/// <summary>The outcome of verifying K steps: per-parameter divergences (maxima over the steps) and the verdict.</summary>
public sealed record VerificationReport(string Rule, string Precision, long Steps, double Tolerance,
    IReadOnlyList<ParameterDivergence> Parameters)
{
    public double MaxAbsoluteDivergence => Parameters.Select(p => p.MaxAbs).LargestOrNaN();
    public double MaxRelativeDivergence => Parameters.Select(p => p.MaxRel).LargestOrNaN();
    // False for NaN: a parameter whose update went NaN fails the verification; so does a step that failed numerically.
    public bool Passed => Failure == null && MaxRelativeDivergence <= Tolerance;

    /// <summary>The inference steps each verified step's relaxation ran (rules with PC dynamics), else null.</summary>
    public IReadOnlyList<int>? InferenceSteps { get; init; }

    /// <summary>Which dynamics computed the rule's updates (what an ablation made of the rule); null: the rule's own.</summary>
    public string? Dynamics { get; init; }

    /// <summary>The numerical failure (NaN, Inf) that stopped the run at step <see cref="Steps"/>, else null.</summary>
    public NumericalFailure? Failure { get; init; }

    /// <summary>The `verify --json` shape; its keys are a contract (docs/cli.md).</summary>
    public object ToJson()
    {
        var json = JsonFields();
        json["dynamics"] = Dynamics ?? Rule;
        if (InferenceSteps != null) json["inference_steps"] = InferenceSteps;
        if (Failure != null) json["numerical_failure"] = Failure.ToJson();
        return json;
    }

    private Dictionary<string, object> JsonFields() => new()
    {
        ["rule"] = Rule,
        ["precision"] = Precision,
        ["steps"] = Steps,
        ["max_abs_divergence"] = MaxAbsoluteDivergence,
        ["max_rel_divergence"] = MaxRelativeDivergence,
        ["tolerance"] = Tolerance,
        ["passed"] = Passed,
        ["parameters"] = Parameters.Select(p => new Dictionary<string, object>
        {
            ["name"] = p.Name, ["max_abs"] = p.MaxAbs,
            ["max_rel"] = p.MaxRel
        }).ToList(),
    };

    public void Print(TextWriter output)
    {
        output.WriteLine($"rule {Rule}, {Precision}, {Steps} step(s) verified against backprop");
        if (Dynamics != null && Dynamics != Rule) output.WriteLine($"dynamics: {Dynamics}");
        output.WriteLine($"  {"parameter",-36} {"max |delta - bp|",18} {"relative",12}");
        foreach (var p in Parameters) output.WriteLine($"  {p.Name,-36} {p.MaxAbs,18:E3} {p.MaxRel,12:E3}");
        if (InferenceSteps is { Count: > 0 } inference)
            output.WriteLine(inference.Distinct().Count() == 1
                ? $"inference steps: {inference[0]}"
                : $"inference steps: {inference.Min()} to {inference.Max()} (per step: {string.Join(", ", inference)})");
        if (Failure != null)
            output.WriteLine($"numerical failure at step {Failure.Step}: {Failure.Origin?.Description ?? Failure.Message}");
        output.WriteLine($"max divergence {MaxRelativeDivergence:E3} relative ({MaxAbsoluteDivergence:E3} absolute), tolerance " +
            $"{Tolerance:E1}: {(Passed ? "PASSED" : "FAILED")}");
    }
}

/// <summary>A step that went NaN or Inf: the run's error message and where the first non-finite number appeared.</summary>
public sealed record NumericalFailure(long Step, string Message, NonFiniteOrigin? Origin)
{
    public Dictionary<string, object?> ToJson() => new()
    {
        ["step"] = Step,
        ["message"] = Message,
        ["first_non_finite"] = Origin?.Quantity,
        ["vertex"] = Origin?.Vertex,
        ["inference_step"] = Origin?.InferenceStep,
        ["where"] = Origin?.Description,
    };
}
