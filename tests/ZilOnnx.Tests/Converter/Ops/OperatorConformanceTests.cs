using Xunit.Abstractions;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The forward pass of every operator in the registry against the ONNX backend test data (libonnx-testdata) and
/// against ONNX Runtime: every case whose operators the registry maps and whose data is float is converted and
/// run through the PCN in float64 and float32. Cases in the lists below must be found and must pass (or be
/// rejected with the stated message), so that a regression cannot hide as "not claimed".
/// </summary>
public sealed class OperatorConformanceTests(ConformanceSuiteRun run, ITestOutputHelper output) : IClassFixture<ConformanceSuiteRun>
{
    [Fact]
    public void Every_claimed_case_matches_the_reference_and_onnx_runtime()
    {
        output.WriteLine($"tolerances: {ConformanceRunner.Float64VsFloat32}");
        output.WriteLine($"            {ConformanceRunner.Float32VsFloat32}");
        foreach (string line in run.Summary()) output.WriteLine(line);
        foreach (var status in new[] { CaseStatus.Failed, CaseStatus.Rejected, CaseStatus.Passed, CaseStatus.NotClaimed })
            foreach (var o in run.Outcomes.Where(o => o.Status == status && (status != CaseStatus.NotClaimed || run.UsesRegistryOperators(o))))
                output.WriteLine($"{status,-9} {o.Case.Suite}/{o.Case.Name} (opset {o.Case.DefaultOpset}, {string.Join(" ", o.Case.OpTypes)}): {o.Detail}");
        int compared = run.Outcomes.Count(o => o.Status == CaseStatus.Passed && o.OnnxRuntimeCompared);
        output.WriteLine($"{compared} passing cases were also compared with ONNX Runtime");

        var failures = run.Outcomes.Where(o => o.Status == CaseStatus.Failed).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures.Select(f => $"{f.Case.Suite}/{f.Case.Name}: {f.Detail}")));
    }

    public static IEnumerable<object[]> MustPass() => RequiredCases.MustPass.Select(c => new object[] { c.Suite, c.Name });

    [Theory]
    [MemberData(nameof(MustPass))]
    public void Required_case_passes(string suite, string name)
    {
        var outcome = run.Find(suite, name);
        output.WriteLine(outcome.Detail);
        Assert.True(outcome.Status == CaseStatus.Passed, $"{suite}/{name}: {outcome.Status}: {outcome.Detail}");
    }

    [Theory]
    [MemberData(nameof(RequiredFamilies))]
    public void Every_case_of_a_required_family_passes(string suite, string prefix)
    {
        var family = run.Outcomes.Where(o => o.Case.Suite == suite && RequiredCases.InFamily(o.Case.Name, prefix)).ToList();
        Assert.NotEmpty(family);
        foreach (var o in family) output.WriteLine($"{o.Status} {o.Case.Name}: {o.Detail}");
        Assert.All(family, o => Assert.True(o.Status == CaseStatus.Passed, $"{o.Case.Name}: {o.Status}: {o.Detail}"));
    }

    public static IEnumerable<object[]> RequiredFamilies() => RequiredCases.Families.Select(f => new object[] { f.Suite, f.Prefix });

    public static IEnumerable<object[]> MustBeRejected() => RequiredCases.MustBeRejected.Select(c => new object[] { c.Suite, c.Name, c.Message });

    [Theory]
    [MemberData(nameof(MustBeRejected))]
    public void Unsupported_form_is_rejected_with_a_clear_message(string suite, string name, string message)
    {
        var outcome = run.Find(suite, name);
        Assert.True(outcome.Status == CaseStatus.Rejected, $"{suite}/{name}: {outcome.Status}: {outcome.Detail}");
        Assert.Contains(message, outcome.Detail);
    }
}
