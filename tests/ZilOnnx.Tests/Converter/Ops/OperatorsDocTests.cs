using System.Text;
using ZilOnnx.Cli.Commands;
using ZilOnnx.Converter.Ops;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// docs/operators.md is generated from the registry and the conformance harness, and this test keeps it so:
/// it fails when the committed page differs from what the registry and the suite give now. To regenerate:
/// `ZILONNX_UPDATE_DOCS=1 dotnet test tests/ZilOnnx.Tests --filter OperatorsDoc`.
/// </summary>
public sealed class OperatorsDocTests(ConformanceSuiteRun run) : IClassFixture<ConformanceSuiteRun>
{
    [Fact]
    public void Operators_page_is_up_to_date()
    {
        string path = Path.Combine(RepositoryRoot(), "docs", "operators.md");
        string generated = Generate();
        if (Environment.GetEnvironmentVariable("ZILONNX_UPDATE_DOCS") == "1") File.WriteAllText(path, generated);
        Assert.True(File.Exists(path) && File.ReadAllText(path) == generated,
            "docs/operators.md is out of date: run `ZILONNX_UPDATE_DOCS=1 dotnet test tests/ZilOnnx.Tests --filter OperatorsDoc`");
    }

    private string Generate()
    {
        var text = new StringBuilder();
        text.AppendLine("# Operators");
        text.AppendLine();
        text.AppendLine("Generated from the operator registry (`zilonnx ops`) and the conformance harness (`tests/ZilOnnx.Tests/Converter/Ops`)");
        text.AppendLine("over the ONNX backend test data of Debian's `libonnx-testdata` (`node`, `pytorch-converted`, `pytorch-operator`,");
        text.AppendLine("`simple`); regenerate with `ZILONNX_UPDATE_DOCS=1 dotnet test tests/ZilOnnx.Tests --filter OperatorsDoc`.");
        text.AppendLine();
        text.AppendLine("A case *passes* when the PCN forward pass matches the reference outputs in float64 and float32 (and ONNX Runtime");
        text.AppendLine("where it runs the model), and then its backward pass is checked in float64: Z-IL's update equals autograd's and");
        text.AppendLine("both match central finite differences (except through Cast's rounding and at tied maxima, where the gradient is");
        text.AppendLine("a convention). *Rejected* cases use a form of the operator that is refused with a message naming it; a case");
        text.AppendLine("counts for every operator in its graph. Models of opsets " +
            $"{OperatorRegistry.MinOpset} to {OperatorRegistry.MaxOpset} are accepted.");
        text.AppendLine();
        var claimed = run.Outcomes.Where(o => o.Status is CaseStatus.Passed or CaseStatus.Failed or CaseStatus.Rejected).ToList();
        int passed = claimed.Count(o => o.Status == CaseStatus.Passed), failed = claimed.Count(o => o.Status == CaseStatus.Failed);
        text.AppendLine($"Cases whose operators are all in the registry: {claimed.Count}; passed {passed} " +
            $"({100.0 * passed / Math.Max(1, claimed.Count):F1} %), rejected with a message {claimed.Count - passed - failed}, failed {failed}.");
        text.AppendLine();
        text.AppendLine("| operator | since versions | forms | passed | rejected | failed | not claimed |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var mapping in OperatorRegistry.Default.All)
        {
            var cases = run.Outcomes.Where(o => o.Case.OpTypes.Contains(mapping.OpType)).ToList();
            int Count(CaseStatus s) => cases.Count(o => o.Status == s);
            text.AppendLine($"| {mapping.OpType} | {string.Join(", ", mapping.SinceVersions)} | {string.Join(", ", OpsCommand.Forms(mapping))} | " +
                $"{Count(CaseStatus.Passed)} | {Count(CaseStatus.Rejected)} | {Count(CaseStatus.Failed)} | {Count(CaseStatus.NotClaimed)} |");
        }
        return text.ToString();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ZilOnnx.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("the repository root (with ZilOnnx.sln) is not above the test output");
    }
}
