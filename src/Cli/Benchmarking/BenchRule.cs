using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Profiling;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Training;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Cli.Benchmarking;

/// <summary>
/// One benchmarked rule: its full training step as the trainer takes it (Trainer.Step) once the batch is assembled:
/// the rule's update, for `zil+verify` backprop's update on the same batch and parameters and the comparison of the
/// two, the check for NaN and Inf, and the optimizer's step. The batch is made beforehand and is not timed.
/// </summary>
public sealed class BenchRule
{
    /// <summary>The rule names `--rules` takes: the learning rules, and zil verified against backprop at every step.</summary>
    public static readonly string[] Names = ["bp", "zil", "zil-relaxed", "fa-zil", "il", "ipc", "fpa", "zil+pc", "zil+verify"];

    public const string DefaultList = "bp,zil,zil-relaxed,il,zil+verify";

    private readonly ILearningRule _rule;
    private readonly ILearningRule? _witness;
    private readonly IOptimizer _optimizer;
    private long _steps;

    private BenchRule(string name, ILearningRule rule, ILearningRule? witness, IOptimizer optimizer)
    {
        Name = name; _rule = rule; _witness = witness; _optimizer = optimizer;
    }

    public string Name { get; }
    public ILearningRule Rule => _rule;
    /// <summary>The largest relative divergence from backprop over the verified steps (zil+verify), else null.</summary>
    public double? MaxDivergence { get; private set; }

    /// <summary>The names of a `--rules` list, checked, bp first (the ratios' denominator, always timed).</summary>
    public static List<string> NamesOf(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n =>
            n.ToLowerInvariant()).ToList();
        if (names.Count == 0) throw new ArgumentException("--rules names no rule");
        foreach (string name in names)
            if (!Names.Contains(name)) throw new ArgumentException($"--rules: '{name}' is not one of {string.Join(", ", Names)}");
        return names.Prepend("bp").Distinct().ToList();
    }

    /// <summary>The rules of <see cref="NamesOf"/>'s list, each learning rule made from its name by <paramref name="learningRule"/>.
    /// </summary>
    public static List<BenchRule> Parse(IReadOnlyList<string> names, BenchSetup setup, Func<string, ILearningRule> learningRule) =>
        names.Select(name => Create(name, setup, learningRule)).ToList();

    private static BenchRule Create(string name, BenchSetup setup, Func<string, ILearningRule> learningRule)
    {
        ILearningRule Wrapped(ILearningRule rule) => ChunkedRule.For(rule, setup.GraphBatch, setup.BatchSize);
        return new BenchRule(name, Wrapped(name == "zil+verify" ? new Zil() : learningRule(name)),
            name == "zil+verify" ? Wrapped(new Backprop()) : null, setup.NewOptimizer());
    }

    private static ILearningRule LearningRule(string name) => name == "zil+verify" ? new Zil() : RuleFactory.Create(name);

    /// <summary>The pre-flight estimate (finetune's) of the step of the rule named, before any rule or batch exists.</summary>
    public static StepMemoryEstimate EstimateStepMemory(string name, PcGraph graph, Precision precision, string optimizer, bool beside) =>
        StepMemoryEstimate.For(graph, precision, LearningRule(name), optimizer, verified: name == "zil+verify", beside);

    /// <summary>The pre-flight estimate of this rule's step, for comparison with the memory measured.</summary>
    public StepMemoryEstimate EstimateStepMemory(BenchSetup setup) =>
        StepMemoryEstimate.For(setup.Model.Graph, setup.Precision, _rule, _optimizer.Name, verified: _witness != null, setup.VerifyBeside);

    private static readonly NumericalGuard Guard = new();

    /// <summary>One training step on <paramref name="batch"/>; the parameters of <paramref name="setup"/>'s model change.</summary>
    public void Step(BenchSetup setup, Batch batch)
    {
        using var scope = NewDisposeScope();
        var profile = StepProfile.Active;
        long start = profile?.BeginStep(Name) ?? 0;
        var (result, reference) = VerifiedStep.Compute(_rule, _witness, setup.Model, batch, setup.Loss, setup.VerifyBeside);
        using var _ = result;
        profile?.EndStep(start);
        if (reference != null)
            using (reference)
            {
                var divergences = ParameterDivergence.Compare(result.Updates, reference.Updates, overwriteBackprop: true);
                double divergence = divergences.Select(d => d.MaxRel).LargestOrNaN();
                MaxDivergence = Math.Max(MaxDivergence ?? 0, divergence); // Math.Max keeps a NaN
            }
        Guard.Check(result, _steps, setup.Model, batch, setup.Loss);
        _optimizer.Step(setup.Model.Parameters, result.Updates);
        _steps++;
    }
}
