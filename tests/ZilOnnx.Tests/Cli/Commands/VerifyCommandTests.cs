using System.Text.Json;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>`zilonnx verify`: the JSON contract of docs/cli.md, exactness in float64, and ablations failing with exit code 3.</summary>
public sealed class VerifyCommandTests
{
    private static CliProcess.Result Verify(string network, string loss, params string[] extra) =>
        CliProcess.Run([
            "verify", Fixtures.PathOf(network + ".onnx"), "--data", Fixtures.PathOf($"{Fixtures.DataOf(network)}.{loss}.npz"),
            "--loss", loss, "--batch-size", "8", "--no-shuffle", "--lr", "0.05", "--json", .. extra]);

    [Theory]
    [InlineData("lenet5", "ce", "zil")]
    [InlineData("residual_mlp", "mse", "zil-relaxed")]
    public void Float64_verification_passes_at_1e_10_and_reports_every_parameter(string network, string loss, string rule)
    {
        var run = Verify(network, loss, "--rule", rule, "--steps", "3", "--precision", "float64");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        foreach (string key in new[] { "rule", "precision", "steps", "max_abs_divergence", "max_rel_divergence", "tolerance", "passed", "parameters" })
            Assert.True(root.TryGetProperty(key, out _), $"key '{key}' missing from {run.Output}");
        Assert.Equal(rule, root.GetProperty("rule").GetString());
        Assert.Equal(3, root.GetProperty("steps").GetInt64());
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.True(root.GetProperty("max_rel_divergence").GetDouble() <= 1e-10);
        var names = root.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Contains(network == "lenet5" ? "conv1.weight" : "fc_in.weight", names);
    }

    /// <summary>
    /// `--verify-beside` on two threads: backprop's backward runs beside Z-IL's sweep, one thread each, and the two still
    /// agree bit for bit (what VerifiedStepTests holds each side to), in both precisions.
    /// </summary>
    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void Side_by_side_verification_still_reads_zero(string precision)
    {
        var run = Verify("lenet5", "ce", "--steps", "3", "--precision", precision, "--threads", "2", "--verify-beside");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(0.0, json.RootElement.GetProperty("max_abs_divergence").GetDouble());
    }

    [Theory]
    [InlineData("gamma=0.5")]
    [InlineData("schedule-shift=1")]
    [InlineData("init-noise=0.1")]
    [InlineData("no-levelling")]
    public void An_ablation_fails_verification_with_exit_code_3(string ablation)
    {
        var run = Verify("residual_mlp", "mse", "--ablate", ablation, "--precision", "float64");
        Assert.True(run.ExitCode == 3, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.True(json.RootElement.GetProperty("max_rel_divergence").GetDouble() > 1e-2);
    }
}
