using System.Globalization;
using System.Text;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Profiling;
using ZilOnnx.Trainer.Rules.Local;

namespace ZilOnnx.Cli.Benchmarking;

/// <summary>One operator type's vertices that share a zil strategy, and their milliseconds per step.</summary>
public sealed record OperatorProfileRow(string OpType, string Strategy, int Vertices, double BpForwardMs, double ZilForwardMs,
    double ZilSweepMs);

/// <summary>
/// Where bp's and zil's steps spend their time, per ONNX operator type and zil strategy (`bench --profile`): rounds of bp and
/// zil in alternation, run after the timed rounds with <see cref="StepProfile"/> recording, so that the timed rounds carry no
/// instrument. Times are milliseconds per step, averaged over the profiled steps.
/// </summary>
public sealed record OperatorProfile(int Steps, IReadOnlyList<OperatorProfileRow> Rows, double BpStepMs, double ZilStepMs)
{
    /// <summary>What each column covers, printed with the table and written to the JSON.</summary>
    public static readonly IReadOnlyDictionary<string, string> Columns = new Dictionary<string, string>
    {
        ["bp_forward_ms"] = "bp: the vertices' kernels in the forward pass that autograd records",
        ["bp_backward_ms"] = "bp: the rest of its step (the loss, the one autograd backward call over the whole graph, collecting " +
            "the gradients, and the forward's bookkeeping outside the kernels); one autograd call, so not split by operator",
        ["zil_forward_ms"] = "zil: each vertex's forward by its strategy (the kernel, and recording a tape or keeping the inputs)",
        ["zil_sweep_ms"] = "zil: each vertex's turn in the sweep (its closed form, or its tape's backward, and summing the errors it " +
            "feeds back); while profiled, each AutogradTape vertex runs its own autograd call (unprofiled steps run one per level), " +
            "so those rows include that call's fixed cost once per vertex",
        ["zil_rest_ms"] = "zil: the rest of its step (parameter roots, the loss and its error, collecting the updates)",
    };

    /// <summary>Runs <paramref name="rounds"/> rounds of bp and zil (each starting one rule later) with a profile recording.</summary>
    public static OperatorProfile Measure(BenchSetup setup, IReadOnlyList<BenchRule> rules, int rounds)
    {
        var profiled = rules.Where(r => r.Name is "bp" or "zil").ToList();
        var profile = new StepProfile();
        using (profile.Start())
            for (int round = 0; round < rounds; round++)
                for (int i = 0; i < profiled.Count; i++)
                    profiled[(round + i) % profiled.Count].Step(setup, setup.Batches[round % setup.Batches.Count]);
        return Summarize(setup.Model.Graph, profile);
    }

    private static OperatorProfile Summarize(PcGraph graph, StepProfile profile)
    {
        int bpSteps = Math.Max(1, profile.Steps("bp")), zilSteps = Math.Max(1, profile.Steps("zil"));
        var perVertex = new Dictionary<(ProfilePart, Vertex), double>();
        double bpStep = 0, zilStep = 0;
        foreach (var (part, vertex, ms) in profile.Recorded())
        {
            if (vertex != null) perVertex[(part, vertex)] = ms;
            else if (part == ProfilePart.BpStep) bpStep = ms / bpSteps;
            else if (part == ProfilePart.ZilStep) zilStep = ms / zilSteps;
        }
        var strategies = LocalStrategies.For(graph);
        double Of(ProfilePart part, IEnumerable<Vertex> vs, int steps) => vs.Sum(v => perVertex.GetValueOrDefault((part, v))) / steps;
        var rows = graph.Vertices.Where(v => v.Kind != VertexKind.DataInput)
            .GroupBy(v => (OpType: v.Kind == VertexKind.Levelling ? "Identity (levelling)" : v.Op.OpType,
                Strategy: StrategyName(strategies.GetValueOrDefault(v))))
            .Select(g => new OperatorProfileRow(g.Key.OpType, g.Key.Strategy, g.Count(), Of(ProfilePart.BpForward, g, bpSteps),
                Of(ProfilePart.ZilForward, g, zilSteps), Of(ProfilePart.ZilSweep, g, zilSteps)))
            .OrderByDescending(r => r.ZilForwardMs + r.ZilSweepMs).ThenBy(r => r.OpType, StringComparer.Ordinal).ToList();
        return new OperatorProfile(profile.Steps("zil"), rows, bpStep, zilStep);
    }

    /// <summary>The strategy's name as docs/cli.md lists them; "-" for a vertex zil does not evaluate (no error reaches it).</summary>
    private static string StrategyName(ILocalStrategy? strategy) => strategy switch
    {
        null => "-",
        ClosedFormStrategy => "ClosedForm",
        _ => strategy.GetType().Name,
    };

    public double BpForwardMs => Rows.Sum(r => r.BpForwardMs);
    public double BpBackwardMs => BpStepMs - BpForwardMs;
    public double ZilForwardMs => Rows.Sum(r => r.ZilForwardMs);
    public double ZilSweepMs => Rows.Sum(r => r.ZilSweepMs);
    public double ZilRestMs => ZilStepMs - ZilForwardMs - ZilSweepMs;

    private static double R(double value) => Math.Round(value, 4);

    /// <summary>The `profile` object of `bench --json` (docs/cli.md).</summary>
    public Dictionary<string, object?> ToJson() => new()
    {
        ["steps"] = Steps,
        ["columns"] = Columns,
        ["operators"] = Rows.Select(r => new Dictionary<string, object?>
        {
            ["op_type"] = r.OpType, ["strategy"] = r.Strategy, ["vertices"] = r.Vertices, ["bp_forward_ms"] = R(r.BpForwardMs),
            ["zil_forward_ms"] = R(r.ZilForwardMs), ["zil_sweep_ms"] = R(r.ZilSweepMs),
        }).ToList(),
        ["totals"] = new Dictionary<string, object?>
        {
            ["bp_step_ms"] = R(BpStepMs), ["bp_forward_ms"] = R(BpForwardMs), ["bp_backward_ms"] = R(BpBackwardMs),
            ["zil_step_ms"] = R(ZilStepMs), ["zil_forward_ms"] = R(ZilForwardMs), ["zil_sweep_ms"] = R(ZilSweepMs),
            ["zil_rest_ms"] = R(ZilRestMs),
        },
    };

    private static string Ms(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"profile per operator ({Steps} profiled rounds of bp and zil after the timed ones; ms per step):");
        text.AppendLine();
        text.AppendLine("| operator | zil strategy | vertices | bp forward | zil forward | zil sweep |");
        text.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var r in Rows)
            text.AppendLine(
                $"| {r.OpType} | {r.Strategy} | {r.Vertices} | {Ms(r.BpForwardMs)} | {Ms(r.ZilForwardMs)} | {Ms(r.ZilSweepMs)} |");
        text.AppendLine($"| all vertices | | {Rows.Sum(r => r.Vertices)} | {Ms(BpForwardMs)} | {Ms(ZilForwardMs)} | {Ms(ZilSweepMs)} |");
        text.AppendLine();
        text.AppendLine($"bp step {Ms(BpStepMs)} = forward {Ms(BpForwardMs)} + backward {Ms(BpBackwardMs)}; zil step {Ms(ZilStepMs)} = " +
            $"forward {Ms(ZilForwardMs)} + sweep {Ms(ZilSweepMs)} + rest {Ms(ZilRestMs)}");
        foreach (var (key, meaning) in Columns) text.AppendLine($"- {key}: {meaning}");
        return text.ToString();
    }
}
