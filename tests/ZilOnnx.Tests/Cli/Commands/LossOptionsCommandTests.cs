using System.IO.Compression;
using System.Text.Json;
using ZilOnnx.Tests.TestSupport;
using Xunit;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// --reduction, --class-axis, --label-smoothing and the losses bce and l1 reach finetune, verify and bench, are kept by
/// checkpoints, and are refused where they do not apply.
/// </summary>
public sealed class LossOptionsCommandTests
{
    private static string[] Arguments(string command, string model, string data, params string[] extra) =>
        [command, Fixtures.PathOf(model + ".onnx"), "--data", Fixtures.PathOf($"losses/{data}.npz"), "--batch-size", "4", "--no-shuffle", .. extra];

    [Fact]
    public void Finetune_records_the_loss_settings_and_a_resumed_run_keeps_them()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.File("run.pcn");
        var run = CliProcess.Run(Arguments("finetune", "tiny_seg", "seg_ce_mean_ls", "--reduction", "mean", "--label-smoothing", "0.1",
            "--class-axis", "1", "--steps", "2", "--checkpoint-every", "2", "--checkpoint", checkpoint, "-o", temp.File("out.onnx")));
        Assert.True(run.ExitCode == 0, run.ToString());
        using (var archive = ZipFile.OpenRead(checkpoint))
        {
            using var state = JsonDocument.Parse(archive.GetEntry("checkpoint/state.json")!.Open());
            Assert.Equal("mean", state.RootElement.GetProperty("reduction").GetString());
            Assert.Equal(0.1, state.RootElement.GetProperty("label_smoothing").GetDouble());
            Assert.Equal(1, state.RootElement.GetProperty("class_axis").GetInt32());
        }
        var resumed = CliProcess.Run(["finetune", checkpoint, "--data", Fixtures.PathOf("losses/seg_ce_mean_ls.npz"), "--steps", "3", "--reduction", "sample",
            "-o", temp.File("more.onnx")]);
        Assert.True(resumed.ExitCode == 1, resumed.ToString());
        Assert.Contains("the checkpointed run has --reduction mean", resumed.Error);
        var continued = CliProcess.Run(["finetune", checkpoint, "--data", Fixtures.PathOf("losses/seg_ce_mean_ls.npz"), "--steps", "3", "-o", temp.File("more.onnx")]);
        Assert.True(continued.ExitCode == 0, continued.ToString());
    }

    [Theory]
    [InlineData("tiny_seg_sigmoid", "seg_bce_sample", "bce", "sample")]
    [InlineData("tiny_pool", "pool_ce_mean", "ce", "mean")]
    [InlineData("tiny_seg", "seg_l1_mean", "l1", "mean")]
    public void Verify_holds_zil_to_backprop_with_each_loss(string model, string data, string loss, string reduction)
    {
        var run = CliProcess.Run(Arguments("verify", model, data, "--loss", loss, "--reduction", reduction, "--steps", "3", "--precision", "float32", "--json"));
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("max_abs_divergence").GetDouble());
    }

    [Fact]
    public void Bench_takes_the_loss_settings()
    {
        var run = CliProcess.Run(["bench", Fixtures.PathOf("tiny_seg.onnx"), "--batch-size", "4", "--steps", "2", "--warmup", "1", "--jit-quiet", "0",
            "--ort-runs", "2", "--rules", "bp,zil", "--loss", "ce", "--reduction", "mean", "--label-smoothing", "0.1", "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Theory]
    [InlineData("--loss", "mse", "--label-smoothing", "0.1", "--label-smoothing applies to --loss ce only")]
    [InlineData("--loss", "l1", "--class-axis", "1", "--class-axis applies to --loss ce only")]
    [InlineData("--loss", "ce", "--label-smoothing", "1", "--label-smoothing")]
    [InlineData("--loss", "ce", "--class-axis", "4", "--class-axis 4 is outside the output's rank 4")]
    [InlineData("--loss", "ce", "--reduction", "sum", "--reduction 'sum' is not one of sample, mean")]
    public void Settings_that_do_not_apply_are_one_line_usage_errors(string lossOption, string loss, string option, string value, string message)
    {
        var run = CliProcess.Run(Arguments("verify", "tiny_seg", "seg_ce_mean", lossOption, loss, option, value));
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith("error:", run.Error);
        Assert.Contains(message, run.Error);
    }
}
