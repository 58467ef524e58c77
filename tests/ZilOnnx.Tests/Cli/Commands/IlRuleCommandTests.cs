using System.IO.Compression;
using System.Text.Json;
using ZilOnnx.Tests.TestSupport;
using Xunit;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>`--rule il` with `--inference-steps` (`--T`) and `--gamma`: verify reports its divergence, finetune measures it without stopping.</summary>
public sealed class IlRuleCommandTests
{
    private static string[] Arguments(string command, params string[] extra) =>
    [
        command, Fixtures.PathOf("mlp.onnx"), "--data", Fixtures.PathOf("mlp.mse.npz"), "--loss", "mse", "--batch-size", "8",
        "--no-shuffle", "--lr", "0.05", .. extra,
    ];

    [Fact]
    public void Verify_reports_the_divergence_of_il_and_fails_it()
    {
        var run = CliProcess.Run(Arguments("verify", "--rule", "il", "--T", "1", "--precision", "float64", "--json"));
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("approximates backprop", run.Error);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("il", json.RootElement.GetProperty("rule").GetString());
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.True(json.RootElement.GetProperty("max_rel_divergence").GetDouble() > 1e-2, run.Output);
    }

    [Fact]
    public void Finetune_with_il_verifies_every_step_without_stopping_and_records_its_settings()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out.onnx"), checkpoint = temp.File("run.pcn");
        var run = CliProcess.Run(Arguments("finetune", "--rule", "il", "--inference-steps", "5", "--gamma", "0.2", "--steps", "3",
            "--verify-every", "1", "--checkpoint-every", "3", "--checkpoint", checkpoint, "-o", output));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("measuring the divergence only (il approximates backprop)", run.Output);
        Assert.Contains("3 steps verified, max divergence from backprop", run.Output);
        Assert.True(File.Exists(output));

        using (var archive = ZipFile.OpenRead(checkpoint))
        {
            using var state = JsonDocument.Parse(archive.GetEntry("checkpoint/state.json")!.Open());
            Assert.Equal("il", state.RootElement.GetProperty("rule").GetString());
            Assert.Equal(5, state.RootElement.GetProperty("inference_steps").GetInt32());
            Assert.Equal(0.2, state.RootElement.GetProperty("gamma").GetDouble());
        }
        // Resuming continues T and gamma; another T would not continue the run.
        var resumed = CliProcess.Run(["finetune", checkpoint, "--data", Fixtures.PathOf("mlp.mse.npz"), "--steps", "4", "--T", "6", "-o", temp.File("more.onnx")]);
        Assert.True(resumed.ExitCode == 1, resumed.ToString());
        Assert.Contains("--inference-steps 5", resumed.Error);
    }

    [Theory]
    [InlineData("--rule", "il", "--inference-steps", "0")]
    [InlineData("--rule", "il", "--T", "-2")]
    [InlineData("--rule", "il", "--gamma", "0")]
    [InlineData("--rule", "il", "--gamma", "1.5")]
    [InlineData("--rule", "zil", "--gamma", "0.5")]
    [InlineData("--rule", "bp", "--T", "10")]
    public void Bad_il_settings_are_usage_errors(params string[] options)
    {
        var run = CliProcess.Run(Arguments("verify", options));
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith("error:", run.Error);
        Assert.Contains(options[2] == "--gamma" ? "--gamma" : "--inference-steps", run.Error);
    }
}
