using Xunit;
using Xunit.Abstractions;

namespace ZilOnnx.Tests.Robustness;

/// <summary>
/// The fuzz campaign, run once for the collection: <see cref="FuzzCampaign.DefaultCases"/> mutants (CI's run) or
/// as many as ZILONNX_FUZZ_CASES says (scripts/fuzz.sh). Lazy, so tests of the collection that do not need it do not
/// pay for it.
/// </summary>
public sealed class FuzzRun
{
    private readonly Lazy<IReadOnlyList<FuzzSubject>> _subjects = new(FuzzSubject.Fixtures);
    private readonly Lazy<FuzzReport> _configured;
    private readonly Lazy<FuzzReport> _default;

    public FuzzRun()
    {
        _configured = new(() => Run(ConfiguredCases, ConfiguredSeed));
        _default = new(() => ConfiguredCases == FuzzCampaign.DefaultCases && ConfiguredSeed == FuzzCampaign.DefaultSeed
            ? _configured.Value
            : Run(FuzzCampaign.DefaultCases, FuzzCampaign.DefaultSeed));
    }

    public static int ConfiguredCases =>
        int.TryParse(Environment.GetEnvironmentVariable("ZILONNX_FUZZ_CASES"), out int n) && n > 0 ? n : FuzzCampaign.DefaultCases;

    public static int ConfiguredSeed =>
        int.TryParse(Environment.GetEnvironmentVariable("ZILONNX_FUZZ_SEED"), out int s) ? s : FuzzCampaign.DefaultSeed;

    /// <summary>How long one mutant may take before it counts as hung (a hang guard, far above the milliseconds a case takes).</summary>
    public static readonly TimeSpan PerCase = TimeSpan.FromSeconds(20);

    public IReadOnlyList<FuzzSubject> Subjects => _subjects.Value;

    /// <summary>The run scripts/fuzz.sh asks for (the default one when it asks for nothing).</summary>
    public FuzzReport Configured => _configured.Value;

    /// <summary>CI's run, with the default count and seed, which docs/robustness.md reports.</summary>
    public FuzzReport Default => _default.Value;

    private FuzzReport Run(int cases, int seed) =>
        FuzzCampaign.Run(Subjects, cases, seed, PerCase, workers: Math.Clamp(Environment.ProcessorCount, 2, 8));
}

[CollectionDefinition(Name)]
public sealed class RobustnessCollection : ICollectionFixture<FuzzRun>, ICollectionFixture<HostileRun>, ICollectionFixture<RunFaultRun>
{
    public const string Name = "Robustness";
}

[Collection(RobustnessCollection.Name)]
public sealed class FuzzTests(FuzzRun run, ITestOutputHelper output)
{
    /// <summary>Where the counts go for CI to print: $ZILONNX_FUZZ_REPORT, else fuzz-counts.txt in the test output folder.</summary>
    public static string ReportPath =>
        Environment.GetEnvironmentVariable("ZILONNX_FUZZ_REPORT") is { Length: > 0 } path ? path : Path.Combine(AppContext.BaseDirectory, "fuzz-counts.txt");

    [Fact]
    public void Mutants_of_the_fixtures_are_accepted_or_refused_with_a_model_error_never_crash_or_hang()
    {
        var report = run.Configured;
        string summary = report.Summary();
        File.WriteAllText(ReportPath, summary);
        output.WriteLine(summary);

        Assert.True(report.Failures.Count == 0, $"{report.Failures.Count} mutants failed or hung (mutants are rebuilt from the case: " +
            $"FuzzCampaign.CaseAt(index, FuzzSubject.Fixtures(), ..., seed)):\n{summary}");
        Assert.Equal(FuzzRun.ConfiguredCases, report.Cases);
        // Every kind of mutation must reach the converter sometimes, or the campaign would test only the parser.
        Assert.All(Enum.GetValues<MutationKind>().Where(k => k != MutationKind.Truncation),
            kind => Assert.True(report.Count(kind, PipelineOutcome.Accepted) + report.Count(kind, PipelineOutcome.RejectedConversion) > 0, $"{kind}: no mutant got past loading\n{summary}"));
    }
}

/// <summary>The mutator itself: deterministic, and its wire-format reading gives back the file it read.</summary>
public sealed class MutatorTests
{
    [Fact]
    public void Every_fixture_serialises_back_byte_for_byte_from_its_wire_fields()
    {
        foreach (string path in Directory.GetFiles(TestSupport.Fixtures.Folder, "*.onnx"))
        {
            byte[] bytes = File.ReadAllBytes(path);
            var fields = WireFormat.Parse(bytes);
            Assert.NotNull(fields);
            Assert.True(bytes.AsSpan().SequenceEqual(WireFormat.Serialize(fields)), path);
        }
    }

    [Fact]
    public void Same_case_gives_the_same_mutant()
    {
        var subjects = FuzzSubject.Fixtures();
        var kinds = Enum.GetValues<MutationKind>();
        for (int i = 0; i < 200; i += 7)
        {
            var a = FuzzCampaign.CaseAt(i, subjects, kinds, 5);
            var b = FuzzCampaign.CaseAt(i, subjects, kinds, 5);
            Assert.Equal(a.Mutant(), b.Mutant());
        }
    }

    [Fact]
    public void Field_duplication_writes_a_nested_field_twice_and_fixes_the_enclosing_lengths()
    {
        // A node (graph field 1) holding op_type (node field 4) "Relu".
        byte[] node = [0x22, 0x04, (byte)'R', (byte)'e', (byte)'l', (byte)'u'];
        byte[] graph = [0x0A, (byte)node.Length, .. node];
        byte[] model = [0x3A, (byte)graph.Length, .. graph];

        var seen = new HashSet<string>();
        for (int seed = 0; seed < 50; seed++) seen.Add(Convert.ToHexString(Mutator.Mutate(model, MutationKind.FieldDuplication, new Random(seed))));

        Assert.Contains(Convert.ToHexString([0x3A, 0x10, 0x0A, 0x06, .. node, 0x0A, 0x06, .. node]), seen); // the node twice
        Assert.Contains(Convert.ToHexString([0x3A, 0x0E, 0x0A, 0x0C, .. node, .. node]), seen); // op_type twice
        Assert.Contains(Convert.ToHexString([.. model, .. model]), seen); // the graph twice
    }
}
