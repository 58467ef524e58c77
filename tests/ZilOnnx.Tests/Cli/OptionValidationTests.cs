using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli;

/// <summary>
/// Every numeric option is checked while the command line is parsed (docs/cli.md, option values): a value out of its
/// range is exit code 1 and one line naming the option and the value as typed, before the model or the data is read
/// (nothing on stdout, no output file). Values inside the ranges, their edges included, are still taken.
/// </summary>
public sealed class OptionValidationTests
{
    private static string[] Finetune(string output, params string[] extra) =>
        ["finetune", Fixtures.PathOf("mlp.onnx"), "--data", Fixtures.PathOf("mlp.mse.npz"), "--loss", "mse", "-o", output, .. extra];

    private static string[] Verify(params string[] extra) =>
        ["verify", Fixtures.PathOf("mlp.onnx"), "--data", Fixtures.PathOf("mlp.mse.npz"), "--loss", "mse", .. extra];

    public static TheoryData<string[], string> Refused() => new()
    {
        { ["--lr", "nan"], "--lr must be a positive finite number, got nan" },
        { ["--lr", "-1"], "--lr must be a positive finite number, got -1" },
        { ["--lr", "0"], "--lr must be a positive finite number, got 0" },
        { ["--lr", "Infinity"], "--lr must be a positive finite number, got Infinity" },
        { ["--lr", "1e39"], "--lr 1e39 is too large for float32, the run's precision" },
        { ["--lr", "1e-50"], "--lr 1e-50 is too small for float32, the run's precision" },
        { ["--weight-decay", "1e39"], "--weight-decay 1e39 is too large for float32" },
        { ["--momentum", "1", "--optimizer", "momentum"], "--momentum must be a number from 0 up to, not including, 1, got 1" },
        { ["--momentum", "-0.5", "--optimizer", "momentum"], "--momentum must be a number from 0 up to, not including, 1, got -0.5" },
        { ["--batch-size", "0"], "--batch-size must be a positive whole number, got 0" },
        { ["--batch-size", "-1"], "--batch-size must be a positive whole number, got -1" },
        { ["--steps", "0"], "--steps must be a positive whole number, got 0" },
        { ["--steps", "-1"], "--steps must be a positive whole number, got -1" },
        { ["--epochs", "0"], "--epochs must be a positive whole number, got 0" },
        { ["--rule", "il", "--gamma", "0"], "--gamma must be a number greater than 0 and at most 1, got 0" },
        { ["--rule", "il", "--gamma", "nan"], "--gamma must be a number greater than 0 and at most 1, got nan" },
        { ["--rule", "il", "--T", "0"], "--inference-steps must be a whole number from 1 to 100000, got 0" },
        { ["--rule", "il", "--output-weight", "0"], "--output-weight must be a positive finite number, got 0" },
        { ["--rule", "il", "--output-weight", "1e-50"], "--output-weight 1e-50 is too small for float32, the run's precision" },
        { ["--rule", "zil+pc", "--pc-steps", "-1"], "--pc-steps must be a whole number from 0 to 100000, got -1" },
        { ["--rule", "il", "--tol", "-1"], "--tol must be a finite number >= 0, got -1" },
        { ["--rule", "il", "--tol", "nan"], "--tol must be a finite number >= 0, got nan" },
        { ["--threads", "0"], "--threads must be a whole number from 1 to" },
        { ["--threads", "100000"], "--threads must be a whole number from 1 to" },
        { ["--tolerance", "-1"], "--tolerance must be a finite number >= 0, got -1" },
        { ["--tolerance", "nan"], "--tolerance must be a finite number >= 0, got nan" },
        { ["--verify-every", "-1"], "--verify-every must be 0 or a positive whole number, got -1" },
        { ["--checkpoint-every", "-1"], "--checkpoint-every must be 0 or a positive whole number, got -1" },
        { ["--val-split", "0"], "--val-split must be a number strictly between 0 and 1, got 0" },
        { ["--val-split", "nan"], "--val-split must be a number strictly between 0 and 1, got nan" },
        { ["--val-every", "-1"], "--val-every must be 0 or a positive whole number, got -1" },
        { ["--max-update-norm", "0"], "--max-update-norm must be a positive finite number, got 0" },
        { ["--max-loss-growth", "1"], "--max-loss-growth must be a finite number greater than 1, got 1" },
        { ["--max-loss-growth", "nan"], "--max-loss-growth must be a finite number greater than 1, got nan" },
        { ["--mpi-timeout", "0"], "--mpi-timeout must be a positive number of seconds, at most 604800" },
        { ["--ablate", "init-noise=nan"], "--ablate 'init-noise=nan' needs a noise scale S, a finite number >= 0" },
        { ["--ablate", "init-noise=-1"], "--ablate 'init-noise=-1' needs a noise scale S" },
        { ["--ablate", "init-noise=1e39"], "--ablate init-noise 1e39 is too large for float32" },
        { ["--ablate", "gamma=0"], "--ablate 'gamma=0' needs an inference rate G greater than 0 and at most 1" },
        { ["--ablate", "gamma=-1"], "--ablate 'gamma=-1' needs an inference rate G" },
        { ["--ablate", "schedule-shift=1.5"], "--ablate 'schedule-shift=1.5' needs a shift K in inference steps, a whole number" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Finetune_refuses_an_out_of_range_value_before_reading_anything(string[] options, string message)
    {
        using var temp = new TempDirectory();
        var run = CliProcess.Run(Finetune(temp.File("o.onnx"), options));
        AssertUsageError(run, message);
        Assert.False(File.Exists(temp.File("o.onnx")));
    }

    [Theory]
    [InlineData(new[] { "--tolerance", "-1" }, "--tolerance must be a finite number >= 0, got -1")]
    [InlineData(new[] { "--tolerance", "nan", "--json" }, "--tolerance must be a finite number >= 0, got nan")]
    [InlineData(new[] { "--steps", "0" }, "--steps must be a positive whole number, got 0")]
    [InlineData(new[] { "--lr", "nan" }, "--lr must be a positive finite number, got nan")]
    public void Verify_refuses_an_out_of_range_value(string[] options, string message) =>
        AssertUsageError(CliProcess.Run(Verify(options)), message);

    [Fact]
    public void Eval_refuses_a_batch_size_of_zero() =>
        AssertUsageError(CliProcess.Run("eval", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"), "--batch-size", "0"),
            "--batch-size must be a positive whole number, got 0");

    [Fact]
    public void Two_bad_values_are_both_named_on_the_one_line() =>
        AssertUsageError(CliProcess.Run(Verify("--lr", "nan", "--batch-size", "0")),
            "--lr must be a positive finite number, got nan; --batch-size must be a positive whole number, got 0");

    [Fact]
    public void Values_inside_the_ranges_and_at_their_edges_are_taken()
    {
        using var temp = new TempDirectory();
        var finetune = CliProcess.Run(Finetune(temp.File("o.onnx"), "--batch-size", "8", "--steps", "2", "--lr", "1e-3", "--threads", "1", "--weight-decay", "0", "--optimizer", "momentum",
            "--momentum", "0", "--verify-every", "0", "--checkpoint-every", "0", "--val-split", "0.25", "--val-every", "0", "--max-loss-growth", "1e6",
            "--max-update-norm", "1e9", "--tolerance", "0.001"));
        Assert.True(finetune.ExitCode == 0, finetune.ToString());
        Assert.True(File.Exists(temp.File("o.onnx")));
        // float64 holds a learning rate float32 cannot; gamma 1, no noise and no shift are Z-IL's own conditions.
        var verify = CliProcess.Run(Verify("--precision", "float64", "--lr", "1e39", "--rule", "zil-relaxed", "--ablate", "gamma=1", "init-noise=0", "schedule-shift=0"));
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var il = CliProcess.Run(Verify("--rule", "il", "--gamma", "1", "--T", "1", "--tol", "0"));
        Assert.True(il.ExitCode is 0 or 3, il.ToString());
    }

    /// <summary>Exit code 1, one line on stderr with the message, and nothing on stdout: the command stopped while parsing.</summary>
    internal static void AssertUsageError(CliProcess.Result run, string message)
    {
        Assert.True(run.ExitCode == 1, run.ToString());
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(message, line);
        Assert.True(run.Output.Length == 0, run.ToString());
    }
}
