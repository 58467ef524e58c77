using System.Text.RegularExpressions;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// A run that diverges with finite numbers ends like one that reaches NaN (docs/cli.md, numerical failures): exit code
/// 4, the output not written, the last checkpoint that of the last good step. The shipped LeNet-5 on the shipped
/// Fashion-MNIST subset, in file order on one thread, so that every run takes the same steps.
/// </summary>
public sealed class DivergenceTests
{
    private static string[] LeNet(string output, string learningRate, int steps, params string[] extra) =>
        [
            "finetune", Repository.PathOf("models", "lenet5-fashion.onnx"), "--data", Repository.PathOf("models", "data", "fashion-mnist-subset"),
            "--lr", learningRate, "--steps", steps.ToString(), "--threads", "1", "--verify-every", "0", "-q", "-o", output, .. extra,
        ];

    [Fact]
    public void A_loss_grown_past_max_loss_growth_is_exit_code_4_and_keeps_the_last_good_checkpoint()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out.onnx"), checkpoint = temp.File("run.pcn");
        // At --lr 10 the loss goes from 0.29 to thousands in one step and to 1e19 in five, every number finite.
        var run = CliProcess.Run(LeNet(output, "10", 10, "--checkpoint-every", "1", "--checkpoint", checkpoint));
        Assert.True(run.ExitCode == 4, run.ToString());
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var failure = Regex.Match(line, @"^error: step (\d+): the loss \S+ is \S+ times the first step's \S+, over --max-loss-growth 10000: the run diverges");
        Assert.True(failure.Success, line);
        Assert.False(File.Exists(output), "a diverged run wrote its output");
        long failedStep = long.Parse(failure.Groups[1].Value);
        Assert.True(failedStep >= 2, line);
        var entries = PcnArchive.Read(checkpoint).Entries;
        Assert.Contains($"\"step\": {failedStep - 1}", System.Text.Encoding.UTF8.GetString(entries["checkpoint/state.json"]));
        Assert.All(FullPrecisionParameters(entries).Values, values => Assert.All(values, v => Assert.True(double.IsFinite(v))));
    }

    [Fact]
    public void A_higher_max_loss_growth_lets_the_same_run_go_on_and_a_normal_run_is_not_stopped()
    {
        using var temp = new TempDirectory();
        // The same steps with the bound lifted: the loss peaks near 2e19 and falls back under 10 (a broken but finite model).
        var lifted = CliProcess.Run(LeNet(temp.File("lifted.onnx"), "10", 10, "--max-loss-growth", "1e30"));
        Assert.True(lifted.ExitCode == 0, lifted.ToString());
        Assert.True(File.Exists(temp.File("lifted.onnx")));
        var normal = CliProcess.Run(LeNet(temp.File("normal.onnx"), "1e-3", 10));
        Assert.True(normal.ExitCode == 0, normal.ToString());
        Assert.True(File.Exists(temp.File("normal.onnx")));
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void A_model_whose_outputs_overflow_is_exit_code_4_and_not_written(string precision)
    {
        using var temp = new TempDirectory();
        string output = temp.File("out.onnx");
        // Two finite steps at --lr 1000 (loss 1.3e13) leave parameters whose float32 outputs are all Inf or NaN: in
        // float32 training the PCN's own, in float64 training those of the float32 export ONNX Runtime would serve.
        var run = CliProcess.Run(LeNet(output, "1000", 2, "--max-loss-growth", "1e300", "--precision", precision));
        Assert.True(run.ExitCode == 4, run.ToString());
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^error: the trained model's output 'y' is NaN or Inf in \d+ of 320 values on the first batch: the run diverged", line);
        Assert.False(File.Exists(output), "a model with non-finite outputs was written");
    }

    private static Dictionary<string, double[]> FullPrecisionParameters(Dictionary<string, byte[]> entries) =>
        entries.Where(e => e.Key.StartsWith("checkpoint/parameters/", StringComparison.Ordinal))
            .ToDictionary(e => e.Key, e => NpyFormat.Read(new MemoryStream(e.Value), e.Key).Values);
}
