using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Robustness;

/// <summary>A file the campaign mutates: a fixture model, or a .pcn converted from one.</summary>
public sealed record FuzzSubject(string Name, byte[] Bytes)
{
    public string Extension => Path.GetExtension(Name);

    public override string ToString() => Name;

    /// <summary>Every tests/fixtures/*.onnx, and two .pcn files written the way `convert` writes them.</summary>
    public static IReadOnlyList<FuzzSubject> Fixtures()
    {
        var subjects = Directory.GetFiles(TestSupport.Fixtures.Folder, "*.onnx")
            .Order(StringComparer.Ordinal)
            .Select(path => new FuzzSubject(Path.GetFileName(path), File.ReadAllBytes(path)))
            .ToList();
        using var temp = new TempDirectory();
        foreach (string model in new[] { "mlp", "gru" })
        {
            string onnx = TestSupport.Fixtures.PathOf(model + ".onnx"), pcn = temp.File(model + ".pcn");
            var proto = OnnxModelFile.Load(onnx);
            PcnArchive.Write(pcn, proto, PcGraphBuilder.Build(proto, onnx));
            subjects.Add(new FuzzSubject(model + ".pcn", File.ReadAllBytes(pcn)));
        }
        return subjects;
    }
}

/// <summary>One mutant: which subject, which mutation, and the seed that makes it again.</summary>
public sealed record FuzzCase(int Index, FuzzSubject Subject, MutationKind Kind, int Seed)
{
    public byte[] Mutant() => Mutator.Mutate(Subject.Bytes, Kind, new Random(Seed));

    public override string ToString() => $"case {Index}: {Subject.Name}, {Kind}, seed {Seed}";
}

public sealed record FuzzFailure(FuzzCase Case, PipelineOutcome Outcome, string Error);

/// <summary>What a campaign found: mutants per kind and outcome, and every failure.</summary>
public sealed class FuzzReport
{
    public required int Cases { get; init; }
    public required int BaseSeed { get; init; }
    public required IReadOnlyList<FuzzSubject> Subjects { get; init; }
    public required IReadOnlyDictionary<(MutationKind Kind, PipelineOutcome Outcome), int> Counts { get; init; }
    public required IReadOnlyList<FuzzFailure> Failures { get; init; }
    public required TimeSpan Elapsed { get; init; }

    public int Count(MutationKind kind, PipelineOutcome outcome) => Counts.GetValueOrDefault((kind, outcome));

    public int Count(PipelineOutcome outcome) => Enum.GetValues<MutationKind>().Sum(k => Count(k, outcome));

    public static readonly PipelineOutcome[] Outcomes = Enum.GetValues<PipelineOutcome>();

    public static string OutcomeLabel(PipelineOutcome outcome) => outcome switch
    {
        PipelineOutcome.Accepted => "accepted",
        PipelineOutcome.RejectedModelFile => "rejected: model file",
        PipelineOutcome.RejectedConversion => "rejected: conversion",
        PipelineOutcome.Failed => "failed",
        PipelineOutcome.Hung => "hung",
        _ => outcome.ToString(),
    };

    /// <summary>A Markdown table: one row per mutation kind, one column per outcome, and the totals.</summary>
    public string Table()
    {
        var text = new StringBuilder();
        text.AppendLine($"| mutation | mutants | {string.Join(" | ", Outcomes.Select(OutcomeLabel))} |");
        text.AppendLine($"|---|---:|{string.Concat(Outcomes.Select(_ => "---:|"))}");
        foreach (var kind in Enum.GetValues<MutationKind>())
            text.AppendLine($"| {Mutator.Describe(kind)} | {Outcomes.Sum(o => Count(kind, o))} | {string.Join(" | ", Outcomes.Select(o => Count(kind, o)))} |");
        text.AppendLine($"| **all** | {Cases} | {string.Join(" | ", Outcomes.Select(Count))} |");
        return text.ToString();
    }

    /// <summary>The summary CI prints: the counts and, when there are any, the failures with what reproduces them.</summary>
    public string Summary()
    {
        var text = new StringBuilder();
        string counts = string.Join(", ", Outcomes.Select(o => $"{Count(o)} {OutcomeLabel(o)}"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"fuzz: {Cases} mutants of {Subjects.Count} files (base seed {BaseSeed}) through load, validation and conversion in {Elapsed.TotalSeconds:F1} s: {counts}"));
        text.Append(Table());
        foreach (var failure in Failures.Take(20))
            text.AppendLine($"FAILURE {failure.Case} ({FuzzReport.OutcomeLabel(failure.Outcome)}): {failure.Error}");
        return text.ToString();
    }
}

/// <summary>
/// Runs seeded mutants of the subjects through <see cref="ModelPipeline"/>. Each worker is a thread of its own that
/// writes its mutant to its own (otherwise empty) folder and runs the pipeline on it as the command line would;
/// a watchdog times each case, and a case past the bound counts as hung and ends the campaign (its thread cannot be
/// stopped, but it is a background thread and does not keep the process alive).
/// </summary>
public static class FuzzCampaign
{
    public const int DefaultCases = 5000;
    public const int DefaultSeed = 20_240_601;

    public static FuzzReport Run(IReadOnlyList<FuzzSubject> subjects, int cases, int baseSeed, TimeSpan perCase, int workers)
    {
        var kinds = Enum.GetValues<MutationKind>();
        var counts = new Dictionary<(MutationKind, PipelineOutcome), int>();
        var failures = new List<FuzzFailure>();
        var gate = new object();
        int next = -1;
        bool stop = false;
        var clock = Stopwatch.StartNew();
        using var root = new TempDirectory();

        // Per worker: the case it is running and when it started, for the watchdog.
        var current = new FuzzCase?[workers];
        var started = new long[workers];
        var threads = new Thread[workers];

        void Record(FuzzCase c, PipelineOutcome outcome, Exception? error)
        {
            lock (gate)
            {
                counts[(c.Kind, outcome)] = counts.GetValueOrDefault((c.Kind, outcome)) + 1;
                if (outcome is PipelineOutcome.Failed or PipelineOutcome.Hung)
                    failures.Add(new FuzzFailure(c, outcome, error is null ? "no result within the time bound" : Describe(error)));
            }
        }

        for (int w = 0; w < workers; w++)
        {
            int worker = w;
            string folder = Directory.CreateDirectory(Path.Combine(root.Path, $"worker{worker}")).FullName;
            threads[w] = new Thread(() =>
            {
                while (!Volatile.Read(ref stop))
                {
                    int index = Interlocked.Increment(ref next);
                    if (index >= cases) return;
                    var c = CaseAt(index, subjects, kinds, baseSeed);
                    string path = Path.Combine(folder, "mutant" + c.Subject.Extension);
                    File.WriteAllBytes(path, c.Mutant());
                    Volatile.Write(ref started[worker], Stopwatch.GetTimestamp());
                    Volatile.Write(ref current[worker], c);
                    var (outcome, error) = ModelPipeline.Classify(path);
                    Volatile.Write(ref current[worker], null);
                    Record(c, outcome, error);
                }
            })
            {
                IsBackground = true,
                Name = $"fuzz worker {worker}",
            };
            threads[w].Start();
        }

        while (threads.Any(t => t.IsAlive))
        {
            Thread.Sleep(50);
            for (int w = 0; w < workers; w++)
            {
                var c = Volatile.Read(ref current[w]);
                if (c is null || !threads[w].IsAlive) continue;
                if (Stopwatch.GetElapsedTime(Volatile.Read(ref started[w])) <= perCase) continue;
                if (Volatile.Read(ref current[w]) != c) continue;
                Record(c, PipelineOutcome.Hung, null);
                Volatile.Write(ref stop, true);
                // Leave the hung thread; wait for the others to finish their current case.
                foreach (var other in threads.Where((_, i) => i != w)) other.Join();
                return Report();
            }
        }
        return Report();

        FuzzReport Report()
        {
            lock (gate)
                return new FuzzReport
                {
                    Cases = counts.Values.Sum(),
                    BaseSeed = baseSeed,
                    Subjects = subjects,
                    Counts = new Dictionary<(MutationKind, PipelineOutcome), int>(counts),
                    Failures = [.. failures.OrderBy(f => f.Case.Index)],
                    Elapsed = clock.Elapsed,
                };
        }
    }

    /// <summary>Case i: the subjects in turn, the kinds in turn over each round of subjects, and a seed of its own.</summary>
    public static FuzzCase CaseAt(int index, IReadOnlyList<FuzzSubject> subjects, MutationKind[] kinds, int baseSeed) =>
        new(index, subjects[index % subjects.Count], kinds[index / subjects.Count % kinds.Length], SeedOf(baseSeed, index));

    /// <summary>A seed per case that does not depend on the process (HashCode's does).</summary>
    private static int SeedOf(int baseSeed, int index) => (int)(((uint)baseSeed * 2_654_435_761u) ^ ((uint)index * 40_503u + 0x9E37u)) & int.MaxValue;

    private static string Describe(Exception e)
    {
        var frames = (e.StackTrace ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Take(4);
        return $"{e.GetType().FullName}: {e.Message} | {string.Join(" | ", frames)}";
    }
}
