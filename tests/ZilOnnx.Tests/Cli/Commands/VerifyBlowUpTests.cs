using System.Globalization;
using System.Text.Json;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// `verify` on relaxations that blow up (the shipped LeNet-5, float32): exit code 4 as for any NaN, but the JSON is still
/// printed and parses, with passed false, the divergences as "NaN"/"Infinity" strings, and where the first non-finite
/// number appeared. In each of these the relaxation's errors grow geometrically, so their squares, the energy F, overflow
/// before any error does: the diagnosis must name the energy and the inference step, not the Hebbian products.
/// </summary>
public sealed class VerifyBlowUpTests
{
    private static CliProcess.Result Verify(params string[] extra) =>
        CliProcess.Run([
            "verify", Repository.PathOf("models", "lenet5-fashion.onnx"), "--data", Repository.PathOf("models", "data", "fashion-mnist-subset"),
            "--loss", "ce", "--batch-size", "8", "--no-shuffle", "--threads", "1", "--json", .. extra]);

    [Theory]
    [InlineData("--ablate", "init-noise=1e10")]
    [InlineData("--ablate", "schedule-shift=100")]
    [InlineData("--rule", "il", "--gamma", "1", "--inference-steps", "300")]
    public void A_blow_up_still_prints_its_json_and_names_the_energy(params string[] arguments)
    {
        var run = Verify(arguments);
        Assert.True(run.ExitCode == 4, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        Assert.False(root.GetProperty("passed").GetBoolean());
        Assert.Equal(1, root.GetProperty("steps").GetInt64());
        // Not a finite number: System.Text.Json cannot write NaN or Infinity as numbers.
        var divergence = root.GetProperty("max_rel_divergence");
        Assert.Equal(JsonValueKind.String, divergence.ValueKind);
        Assert.False(double.IsFinite(double.Parse(divergence.GetString()!, CultureInfo.InvariantCulture)));
        var failure = root.GetProperty("numerical_failure");
        Assert.Equal(1, failure.GetProperty("step").GetInt64());
        Assert.Equal("energy", failure.GetProperty("first_non_finite").GetString());
        int inferenceStep = failure.GetProperty("inference_step").GetInt32();
        Assert.InRange(inferenceStep, 1, 300);
        Assert.Contains($"inference step {inferenceStep} of the relaxation: the energy F is Infinity", run.Error);
        Assert.DoesNotContain("Hebbian products overflow", run.Error);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
    }

    [Fact]
    public void The_text_report_says_which_dynamics_ran_and_where_the_blow_up_began()
    {
        var run = CliProcess.Run([
            "verify", Repository.PathOf("models", "lenet5-fashion.onnx"), "--data", Repository.PathOf("models", "data", "fashion-mnist-subset"),
            "--loss", "ce", "--batch-size", "8", "--no-shuffle", "--threads", "1", "--rule", "il", "--inference-steps", "50", "--ablate", "gamma=0.5"]);
        Assert.True(run.ExitCode == 4, run.ToString());
        Assert.Contains("dynamics: il with gamma=0.5", run.Output);
        Assert.Contains("numerical failure at step 1: inference step", run.Output);
        Assert.Contains("FAILED", run.Output);
    }
}
