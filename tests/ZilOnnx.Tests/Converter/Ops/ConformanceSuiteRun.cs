using ZilOnnx.Converter.Ops;
using ZilOnnx.Tests.Converter.Onnx;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>Every case of the conformance suites, run once and shared by the tests that read the outcomes.</summary>
public sealed class ConformanceSuiteRun
{
    internal IReadOnlyList<CaseOutcome> Outcomes { get; } = OnnxTestData.Suites
        .SelectMany(suite => Directory.EnumerateDirectories(OnnxTestData.Suite(suite)).Order(StringComparer.Ordinal)
            .Where(folder => File.Exists(Path.Combine(folder, "model.onnx")))
            .Select(folder => ConformanceCase.Open(suite, folder)))
        .Select(ConformanceRunner.Run)
        .ToList();

    internal CaseOutcome Find(string suite, string name) =>
        Outcomes.SingleOrDefault(o => o.Case.Suite == suite && o.Case.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"conformance case {suite}/{name} is missing from {OnnxTestData.Root}");

    private static readonly HashSet<string> RegistryOps = OperatorRegistry.Default.All.Select(m => m.OpType).ToHashSet();

    /// <summary>Whether the case's graph holds any operator the registry maps (the others are of no interest here).</summary>
    internal bool UsesRegistryOperators(CaseOutcome outcome) => outcome.Case.OpTypes.Any(RegistryOps.Contains);

    /// <summary>Counts per registry operator: a case counts for every registry operator its graph uses.</summary>
    internal IEnumerable<string> Summary()
    {
        foreach (string op in RegistryOps.Order(StringComparer.Ordinal))
        {
            var cases = Outcomes.Where(o => o.Case.OpTypes.Contains(op)).ToList();
            int Count(CaseStatus s) => cases.Count(o => o.Status == s);
            yield return $"{op,-20} pass {Count(CaseStatus.Passed),3}  fail {Count(CaseStatus.Failed),3}  " +
                $"rejected {Count(CaseStatus.Rejected),3}  not claimed {Count(CaseStatus.NotClaimed),3}";
        }
    }
}
