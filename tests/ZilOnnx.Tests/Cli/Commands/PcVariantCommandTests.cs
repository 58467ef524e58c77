using System.IO.Compression;
using System.Text.Json;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// The rules ipc, fpa and zil+pc and the options --output-weight and --pc-steps as a user runs them: verify's divergence,
/// finetune's checkpoints, bench, and the refusal of a setting a rule does not take.
/// </summary>
public sealed class PcVariantCommandTests
{
    private static string[] Mlp(string command, params string[] extra) =>
    [
        command, Fixtures.PathOf("mlp.onnx"), "--data", Fixtures.PathOf("mlp.mse.npz"), "--loss", "mse", "--batch-size", "8",
        "--no-shuffle", "--lr", "0.05", .. extra,
    ];

    private static JsonElement VerifyJson(CliProcess.Result run)
    {
        using var json = JsonDocument.Parse(run.Output);
        return json.RootElement.Clone();
    }

    /// <summary>
    /// fpa at its defaults (eta 1, n = depth) on the shipped LeNet-5, Fashion-MNIST images, float64: bit for bit backprop's
    /// update (each parameter has one reader, whose term is the local product autograd computes, from the same error).
    /// </summary>
    [Fact]
    public void Verify_holds_fpa_at_its_defaults_to_backprop_on_lenet5()
    {
        var run = CliProcess.Run("verify", Repository.PathOf("models", "lenet5-fashion.onnx"), "--data",
            Repository.PathOf("models", "data", "fashion-mnist-subset"), "--rule", "fpa", "--precision", "float64", "--steps", "2", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = VerifyJson(run);
        Assert.Equal("fpa", json.GetProperty("rule").GetString());
        Assert.True(json.GetProperty("passed").GetBoolean());
        Assert.Equal(0.0, json.GetProperty("max_rel_divergence").GetDouble());
    }

    /// <summary>Away from eta = 1 fpa approximates backprop: verify measures it and fails it, as it does il.</summary>
    [Theory]
    [InlineData("--rule", "fpa", "--gamma", "0.5")]
    [InlineData("--rule", "ipc", "--T", "3")]
    [InlineData("--rule", "zil+pc", "--pc-steps", "2")]
    [InlineData("--rule", "il", "--T", "20", "--output-weight", "0.1")]
    public void Verify_measures_the_approximate_variants(params string[] rule)
    {
        var run = CliProcess.Run(Mlp("verify", [.. rule, "--precision", "float64", "--json"]));
        Assert.True(run.ExitCode == 3, run.ToString());
        var json = VerifyJson(run);
        Assert.Equal(rule[1], json.GetProperty("rule").GetString());
        Assert.True(json.GetProperty("max_rel_divergence").GetDouble() > 1e-2, run.Output);
    }

    [Fact]
    public void Zil_plus_pc_without_relaxed_steps_passes_as_zil_does()
    {
        var run = CliProcess.Run(Mlp("verify", "--rule", "zil+pc", "--pc-steps", "0", "--json"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(0.0, VerifyJson(run).GetProperty("max_rel_divergence").GetDouble());
    }

    [Fact]
    public void Finetune_records_the_rule_settings_and_a_resumed_run_keeps_them()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.File("run.pcn");
        var run = CliProcess.Run(Mlp("finetune", "--rule", "ipc", "--T", "4", "--output-weight", "0.5", "--steps", "2",
            "--checkpoint-every", "2", "--checkpoint", checkpoint, "-o", temp.File("out.onnx")));
        Assert.True(run.ExitCode == 0, run.ToString());
        using (var archive = ZipFile.OpenRead(checkpoint))
        {
            using var state = JsonDocument.Parse(archive.GetEntry("checkpoint/state.json")!.Open());
            Assert.Equal("ipc", state.RootElement.GetProperty("rule").GetString());
            Assert.Equal(4, state.RootElement.GetProperty("inference_steps").GetInt32());
            Assert.Equal(0.1, state.RootElement.GetProperty("gamma").GetDouble());
            Assert.Equal(0.5, state.RootElement.GetProperty("output_weight").GetDouble());
        }
        var other = CliProcess.Run(["finetune", checkpoint, "--data", Fixtures.PathOf("mlp.mse.npz"), "--steps", "3", "--output-weight", "1",
            "-o", temp.File("more.onnx")]);
        Assert.True(other.ExitCode == 1, other.ToString());
        Assert.Contains("--output-weight 0.5", other.Error);
        var same = CliProcess.Run(["finetune", checkpoint, "--data", Fixtures.PathOf("mlp.mse.npz"), "--steps", "3", "-o", temp.File("more.onnx")]);
        Assert.True(same.ExitCode == 0, same.ToString());
    }

    [Fact]
    public void Bench_times_the_new_rules()
    {
        var run = CliProcess.Run("bench", Fixtures.PathOf("mlp.onnx"), "--batch-size", "8", "--rules", "ipc,fpa,zil+pc", "--warmup", "1",
            "--jit-quiet", "0", "--steps", "2", "--ort-runs", "1", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        foreach (string rule in new[] { "bp", "ipc", "fpa", "zil+pc" })
            Assert.True(json.RootElement.GetProperty("rules").GetProperty(rule).GetProperty("median_ms").GetDouble() > 0, rule);
    }

    /// <summary>A bad value, or a setting the rule does not take: exit code 1 (a usage error) and one error line naming the option.</summary>
    [Theory]
    [InlineData("--output-weight must be a positive finite number, got 0", "--rule", "il", "--output-weight", "0")]
    [InlineData("--output-weight must be a positive finite number, got -1", "--rule", "fpa", "--output-weight", "-1")]
    [InlineData("--output-weight must be a positive finite number, got nan", "--rule", "ipc", "--output-weight", "nan")]
    [InlineData("--pc-steps must be a whole number from 0 to 100000, got -1", "--rule", "zil+pc", "--pc-steps", "-1")]
    [InlineData("--inference-steps must be a whole number from 1 to 100000, got 0", "--rule", "fpa", "--inference-steps", "0")]
    [InlineData("--gamma must be a number greater than 0 and at most 1, got 1.5", "--rule", "ipc", "--gamma", "1.5")]
    [InlineData("--output-weight applies to --rule il, ipc, fpa, zil-relaxed, fa-zil, not zil", "--rule", "zil", "--output-weight", "0.5")]
    [InlineData("--pc-steps applies to --rule zil+pc, not il", "--rule", "il", "--pc-steps", "2")]
    [InlineData("--tol applies to --rule il, not fpa", "--rule", "fpa", "--tol", "0.1")]
    [InlineData("--inference-steps applies to --rule il, ipc, fpa, not zil+pc", "--rule", "zil+pc", "--T", "3")]
    public void Bad_settings_are_one_line_usage_errors(string message, params string[] options)
    {
        var run = CliProcess.Run(Mlp("verify", options));
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal($"error: {message}", run.Error.Trim());
        Assert.Empty(run.Output);
    }
}
