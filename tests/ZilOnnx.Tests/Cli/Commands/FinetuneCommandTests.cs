using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>`zilonnx finetune` end to end, as the issue's acceptance check runs it, with its exit codes.</summary>
public sealed class FinetuneCommandTests
{
    private static string[] AcceptanceArguments(string network, string loss, int steps, string output, string precision = "float32",
        string? model = null, string learningRate = "0.05", string optimizer = "sgd") =>
        [
            "finetune", model ?? Fixtures.PathOf(network + ".onnx"), "--data", Fixtures.PathOf($"{Fixtures.DataOf(network)}.{loss}.npz"),
            "--rule", "zil", "--loss", loss, "--optimizer", optimizer, "--lr", learningRate, "--batch-size", "8", "--steps", steps.ToString(),
            "--no-shuffle", "--precision", precision, "-o", output,
        ];

    [Theory]
    [InlineData("mlp", "mse")]
    [InlineData("mlp_logsoftmax_opset11", "ce")]
    [InlineData("cnn_features", "ce")]
    [InlineData("residual_mlp", "mse")]
    public void Exported_model_served_by_onnx_runtime_matches_pytorchs_own_sgd(string network, string loss)
    {
        using var temp = new TempDirectory();
        string output = temp.File("out.onnx");
        var run = CliProcess.Run(AcceptanceArguments(network, loss, 20, output));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("max divergence from backprop", run.Output);

        var expected = Fixtures.Arrays($"{Fixtures.DataOf(network)}.{loss}.steps20.expected.npz")["__output__"];
        var x = Fixtures.Arrays($"{Fixtures.DataOf(network)}.{loss}.npz")["x"];
        long sample = x.Count / x.Shape[0];
        var firstEight = new HostTensor(x.ElementType, [8, .. x.Shape[1..]], x.Values.Take((int)(8 * sample)).ToArray());
        using var session = OnnxRuntimeSession.Open(output, ExecutionProviderChoice.Cpu);
        var actual = session.Run(new Dictionary<string, HostTensor> { ["x"] = firstEight })["y"];
        // The issue's bound: ONNX Runtime on the float32 export within 1e-4 of PyTorch's float64 SGD result.
        double worst = SequenceDifference.MaxAbs(actual.Values, expected.Values);
        Assert.True(worst <= 1e-4, $"{network}/{loss}: ONNX Runtime output differs from PyTorch's by {worst:E3}");
    }

    [Fact]
    public void A_divergence_over_the_tolerance_stops_the_run_with_exit_code_3_and_writes_nothing()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out.onnx");
        // Inference rate 0.5 breaks a Z-IL condition: the updates leave BP by far more than the float64 tolerance.
        var run = CliProcess.Run([.. AcceptanceArguments("lenet5", "ce", 3, output, "float64"), "--ablate", "gamma=0.5"]);
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("diverges from backprop", run.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_numerical_blow_up_stops_the_run_with_exit_code_4_naming_where_it_began_and_keeps_the_last_good_checkpoint()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out.onnx"), checkpoint = temp.File("run.pcn");
        var run = CliProcess.Run([.. AcceptanceArguments("mlp", "mse", 20, output, "float64", learningRate: "1e200"), "--checkpoint-every", "1", "--checkpoint", checkpoint]);
        Assert.True(run.ExitCode == 4, run.ToString());
        var failure = System.Text.RegularExpressions.Regex.Match(run.Error, @"error: step (\d+): .*first non-finite: the (value|error) of vertex '[^']+' \(node '[^']+'");
        Assert.True(failure.Success, run.Error);
        Assert.False(File.Exists(output), "a failed run wrote its output");
        // The checkpoint is the last good step's: written before the failing step, with finite parameters.
        long failedStep = long.Parse(failure.Groups[1].Value);
        var archive = ZilOnnx.Converter.Pcn.PcnArchive.Read(checkpoint);
        Assert.Contains($"\"step\": {failedStep - 1}", System.Text.Encoding.UTF8.GetString(archive.Entries["checkpoint/state.json"]));
        Assert.All(FullPrecisionParameters(checkpoint).Values, values => Assert.All(values, v => Assert.True(double.IsFinite(v))));
    }

    [Fact]
    public void An_update_over_max_update_norm_stops_the_run_with_exit_code_4_naming_the_largest_parameter()
    {
        using var temp = new TempDirectory();
        var run = CliProcess.Run([.. AcceptanceArguments("lenet5", "ce", 5, temp.File("out.onnx")), "--max-update-norm", "1e-6"]);
        Assert.True(run.ExitCode == 4, run.ToString());
        Assert.Matches(@"error: step 1: the update's norm \S+ exceeds --max-update-norm 1\.000E-006 \(largest on parameter '[^']+'\)", run.Error);
    }

    [Theory]
    [InlineData("lenet5", "ce", "sgd", "0.05", "0", "constant", "constant", "sgd lr 0.05,")]
    [InlineData("lenet5", "ce", "momentum", "0.01", "0.001", "cosine", "cosine:0:10", "momentum 0.9 lr 0.01 wd 0.001 cosine:0:10,")]
    [InlineData("mlp", "mse", "adam", "0.01", "0.01", "cosine:0.001", "cosine:0.001:10", "adam lr 0.01 wd 0.01 cosine:0.001:10,")]
    [InlineData("mlp", "ce", "momentum", "0.05", "0.001", "step:3:0.5", "step:3:0.5", "momentum 0.9 lr 0.05 wd 0.001 step:3:0.5,")]
    public void A_resumed_checkpoint_reaches_the_parameters_of_an_uninterrupted_run(string network, string loss, string optimizer,
        string learningRate, string weightDecay, string schedule, string interruptedSchedule, string logged)
    {
        using var temp = new TempDirectory();
        string straight = temp.File("straight.pcn"), checkpoint = temp.File("half.pcn"), resumed = temp.File("resumed.pcn");
        string[] Arguments(int steps, string output, string lrSchedule, string? model = null) =>
            [.. AcceptanceArguments(network, loss, steps, output, "float64", model, learningRate, optimizer), "--weight-decay", weightDecay, "--lr-schedule", lrSchedule];
        // The 10-step runs also checkpoint their last step, to compare the parameters at full precision.
        var whole = CliProcess.Run([.. Arguments(10, straight, schedule), "--checkpoint-every", "10", "--checkpoint", straight + ".ckpt"]);
        Assert.True(whole.ExitCode == 0, whole.ToString());
        Assert.Contains(logged, whole.Output);
        var first = CliProcess.Run([.. Arguments(5, temp.File("ignored.onnx"), interruptedSchedule), "--checkpoint-every", "5", "--checkpoint", checkpoint]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var second = CliProcess.Run([.. Arguments(10, resumed, schedule, model: checkpoint), "--checkpoint-every", "10", "--checkpoint", resumed + ".ckpt"]);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("resumed at step 5", second.Output);
        Assert.Contains(logged, second.Output);

        ResumedParameters.AssertExportsAgree(ZilOnnx.Converter.Pcn.PcnArchive.Read(straight).Model.Graph.Initializer,
            ZilOnnx.Converter.Pcn.PcnArchive.Read(resumed).Model.Graph.Initializer, "after resuming");
        // Full precision, where rounding to float32 hides nothing: within ResumedParameters' tolerance, which says why.
        var full = FullPrecisionParameters(straight + ".ckpt");
        var fromResumed = FullPrecisionParameters(resumed + ".ckpt");
        Assert.Equal(full.Keys.Order(StringComparer.Ordinal), fromResumed.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, values) in full)
        {
            double worst = SequenceDifference.MaxAbs(values, fromResumed[name]);
            Assert.True(worst <= ResumedParameters.Tolerance, $"parameter {name} differs after resuming by {worst:E3}");
        }
    }

    private static Dictionary<string, double[]> FullPrecisionParameters(string checkpoint) =>
        ZilOnnx.Converter.Pcn.PcnArchive.Read(checkpoint).Entries.Where(e => e.Key.StartsWith("checkpoint/parameters/"))
            .ToDictionary(e => e.Key, e => NpyFormat.Read(new MemoryStream(e.Value), e.Key).Values);

    [Theory]
    [InlineData("--weight-decay", "0.002", "--weight-decay 0.001")]
    [InlineData("--lr-schedule", "cosine", "--lr-schedule step:3:0.5")]
    [InlineData("--momentum", "0.5", "--momentum 0.9")]
    public void Resuming_with_a_different_optimizer_setting_is_a_usage_error_naming_both(string option, string value, string recorded)
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.File("half.pcn");
        var first = CliProcess.Run([.. AcceptanceArguments("mlp", "mse", 2, temp.File("o.onnx"), optimizer: "momentum"),
            "--weight-decay", "0.001", "--lr-schedule", "step:3:0.5", "--checkpoint-every", "2", "--checkpoint", checkpoint]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var run = CliProcess.Run([.. AcceptanceArguments("mlp", "mse", 4, temp.File("p.onnx"), model: checkpoint, optimizer: "momentum"), option, value]);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(recorded, run.Error);
    }

    [Theory]
    [InlineData("--batch-size", "16", "--batch-size 8")]
    [InlineData("--optimizer", "sgd", "--optimizer adam")]
    [InlineData("--precision", "float32", "--precision float64")]
    [InlineData("--seed", "3", "--seed 0")]
    [InlineData("--val-split", "0.5", "--val-split 0.25")]
    [InlineData("--shuffle", null, "--no-shuffle")]
    public void Resuming_with_a_different_run_setting_is_a_usage_error_naming_both(string option, string? value, string recorded)
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.File("half.pcn");
        var first = CliProcess.Run([.. AcceptanceArguments("mlp", "mse", 2, temp.File("o.onnx"), "float64", optimizer: "adam", learningRate: "0.001"),
            "--val-split", "0.25", "--checkpoint-every", "2", "--checkpoint", checkpoint]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var run = CliProcess.Run(["finetune", checkpoint, "--data", Fixtures.PathOf("mlp.mse.npz"), "-o", temp.File("p.onnx"), option, .. value == null ? [] : new[] { value }]);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"the checkpointed run has {recorded}", run.Error);
    }

    [Fact]
    public void A_resumed_run_given_only_its_checkpoint_continues_with_every_setting_the_checkpoint_recorded()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.File("half.pcn"), straight = temp.File("straight.pcn"), resumed = temp.File("resumed.pcn");
        string[] settings = ["--val-split", "0.25", "--weight-decay", "0.001", "--lr-schedule", "cosine:0:6"];
        var whole = CliProcess.Run([.. AcceptanceArguments("mlp", "ce", 6, straight, "float64", optimizer: "adam", learningRate: "0.01"), .. settings]);
        Assert.True(whole.ExitCode == 0, whole.ToString());
        var first = CliProcess.Run([.. AcceptanceArguments("mlp", "ce", 3, temp.File("o.onnx"), "float64", optimizer: "adam", learningRate: "0.01"), .. settings,
            "--checkpoint-every", "3", "--checkpoint", checkpoint]);
        Assert.True(first.ExitCode == 0, first.ToString());
        // Nothing but the data, the step count and the output: rule, loss, optimizer, lr, decay, schedule, batch, order,
        // seed, precision and the held-out split all come from the checkpoint.
        var second = CliProcess.Run("finetune", checkpoint, "--data", Fixtures.PathOf("mlp.ce.npz"), "--steps", "6", "-o", resumed);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("rule zil, loss ce, adam lr 0.01 wd 0.001 cosine:0:6, batch 8, float64", second.Output);
        Assert.Contains("held out: 8 samples, --val-split 0.25", second.Output);

        ResumedParameters.AssertExportsAgree(ZilOnnx.Converter.Pcn.PcnArchive.Read(straight).Model.Graph.Initializer,
            ZilOnnx.Converter.Pcn.PcnArchive.Read(resumed).Model.Graph.Initializer, "after resuming with the checkpoint's settings");
    }

    [Fact]
    public void The_input_model_is_never_overwritten_unless_forced()
    {
        using var temp = new TempDirectory();
        string model = temp.File("model.onnx"), link = temp.File("link.onnx");
        File.Copy(Fixtures.PathOf("mlp.onnx"), model);
        File.CreateSymbolicLink(link, model);
        byte[] original = File.ReadAllBytes(model);
        foreach (string output in new[] { model, link, Path.Combine(temp.Path, ".", "model.onnx") })
        {
            var refused = CliProcess.Run(AcceptanceArguments("mlp", "mse", 1, output, model: model));
            Assert.True(refused.ExitCode == 1, refused.ToString());
            Assert.Contains("give --force", refused.Error);
            Assert.Equal(original, File.ReadAllBytes(model));
        }
        var forced = CliProcess.Run([.. AcceptanceArguments("mlp", "mse", 1, model, model: model), "--force"]);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.NotEqual(original, File.ReadAllBytes(model));
    }

    [Fact]
    public void Data_that_does_not_fit_the_model_is_rejected_with_exit_code_2_naming_the_shapes()
    {
        using var temp = new TempDirectory();
        var run = CliProcess.Run("finetune", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("mlp.ce.npz"), "-o", temp.File("o.onnx"));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("[32, 20]", run.Error);
        Assert.Contains("[?, 1, 28, 28]", run.Error.Replace("N, 1", "?, 1"));
    }

    [Theory]
    [InlineData("--loss", "hinge")]
    [InlineData("--rule", "magic")]
    [InlineData("--optimizer", "lbfgs")]
    [InlineData("--lr-schedule", "cosine:fast")]
    [InlineData("--lr-schedule", "step:0:0.5")]
    [InlineData("--weight-decay", "-1")]
    public void An_unknown_option_value_is_a_usage_error(string option, string value)
    {
        using var temp = new TempDirectory();
        var run = CliProcess.Run("finetune", Fixtures.PathOf("mlp.onnx"), "--data", Fixtures.PathOf("mlp.ce.npz"), "-o", temp.File("o.onnx"), option, value);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(value, run.Error);
    }

    [NoCudaFact]
    public void Asking_for_cuda_without_a_cuda_backend_is_exit_code_2_with_a_clear_message()
    {
        // A build that links libtorch-cpu never reaches CUDA, with or without a GPU.
        using var temp = new TempDirectory();
        var run = CliProcess.Run([.. AcceptanceArguments("mlp", "ce", 1, temp.File("o.onnx")), "--device", "cuda"]);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("CUDA backend is not present", run.Error);
    }
}
