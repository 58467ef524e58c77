using Xunit.Abstractions;
using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The backward half of the conformance harness: for every case whose forward pass passes, Z-IL's update equals
/// autograd's and both agree with finite differences (<see cref="GradientCheck"/>), in float64, with every float
/// input of the case treated as a parameter.
/// </summary>
public sealed class GradientConformanceTests(ConformanceSuiteRun run, ITestOutputHelper output) : IClassFixture<ConformanceSuiteRun>
{
    private static readonly HashSet<string> NonSmooth =
    [
        "ReduceMax", "ReduceMin", "Max", "Min", "MaxPool", "GlobalMaxPool",
        "Relu", "LeakyRelu", "Elu", "Selu", "Celu", "PRelu", "Abs", "Clip", "HardSigmoid", "HardSwish",
    ];

    [Fact]
    public void Local_vector_jacobian_products_match_autograd_and_finite_differences_on_every_passing_case()
    {
        var failures = new List<string>();
        int checkedCases = 0, skipped = 0;
        foreach (var outcome in run.Outcomes.Where(o => o.Status == CaseStatus.Passed))
        {
            var set = outcome.Case.DataSets().FirstOrDefault();
            if (set == null) continue;
            GradientCheck.Result? result;
            try { result = GradientCheck.Run(outcome.Case.Model, set.Inputs, outcome.Case.ModelPath); }
            catch (ModelConversionException e) { output.WriteLine($"not differentiated {outcome.Case.Name}: {e.Message}"); skipped++; continue; }
            if (result == null) { skipped++; continue; }
            checkedCases++;
            string line = $"{outcome.Case.Suite}/{outcome.Case.Name}: Z-IL vs BP {result.ZilDivergence:E2}, finite differences {result.FiniteDifferenceDeviation:E2} ({result.Parameters} parameters)";
            output.WriteLine(line);
            // Cast's forward rounds to its target type (a step function to finite differences), while its
            // vector-Jacobian product is the identity, as torch's `.to()` defines it: only Z-IL vs BP applies.
            bool roundsValues = outcome.Case.OpTypes.Contains("Cast");
            // At tied maxima and at kinks (0 for the rectifiers, the bounds of Clip) the derivative does not exist;
            // the kernels follow PyTorch's subgradient, which finite differences cannot reproduce. Hand-written
            // example inputs are whole numbers placed on those points on purpose; random data never is.
            bool onKinks = outcome.Case.OpTypes.Any(NonSmooth.Contains)
                && set.Inputs.Values.Any(t => t.Values.Distinct().Count() < t.Values.Length || t.Values.Any(v => v == Math.Round(v)));
            bool smooth = !roundsValues && !onKinks;
            if (!(result.ZilDivergence <= GradientCheck.ZilVsBackprop) || (smooth && !(result.FiniteDifferenceDeviation <= GradientCheck.FiniteDifference)))
                failures.Add(line);
        }
        output.WriteLine($"{checkedCases} cases differentiated, {skipped} with nothing to differentiate");
        Assert.True(checkedCases > 100, $"only {checkedCases} cases were differentiated");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
