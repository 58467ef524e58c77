using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>`zilonnx finetune` end to end, as the acceptance check runs it, with its exit codes.</summary>
public sealed class FinetuneCommandTests
{
    private static string[] AcceptanceArguments(string network, string loss, int steps, string output, string precision = "float32",
        string? model = null, string learningRate = "0.05") =>
        [
            "finetune", model ?? Fixtures.PathOf(network + ".onnx"), "--data", Fixtures.PathOf($"{Fixtures.DataOf(network)}.{loss}.npz"),
            "--rule", "zil", "--loss", loss, "--optimizer", "sgd", "--lr", learningRate, "--batch-size", "8", "--steps", steps.ToString(),
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
        var x = Fixtures.Data(network, loss).Inputs;
        long sample = x.Count / x.Shape[0];
        var firstEight = new HostTensor(x.ElementType, [8, .. x.Shape[1..]], x.Values.Take((int)(8 * sample)).ToArray());
        using var session = OnnxRuntimeSession.Open(output, ExecutionProviderChoice.Cpu);
        var actual = session.Run(new Dictionary<string, HostTensor> { ["x"] = firstEight })["y"];
        // The bound: ONNX Runtime on the float32 export within 1e-4 of PyTorch's float64 SGD result.
        double worst = actual.Values.Zip(expected.Values, (a, e) => Math.Abs(a - e)).Max();
        Assert.True(worst <= 1e-4, $"{network}/{loss}: ONNX Runtime output differs from PyTorch's by {worst:E3}");
    }

    [Fact]
    public void A_divergence_over_the_tolerance_stops_the_run_with_exit_code_3_and_writes_nothing()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out.onnx");
        // LeNet-5 in float64 diverges from BP by rounding only (~1e-15), which a tolerance of 1e-30 still rejects.
        var run = CliProcess.Run([.. AcceptanceArguments("lenet5", "ce", 3, output, "float64"), "--tolerance", "1e-30"]);
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("diverges from backprop", run.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_numerical_blow_up_stops_the_run_with_exit_code_4()
    {
        using var temp = new TempDirectory();
        var run = CliProcess.Run(AcceptanceArguments("mlp", "mse", 20, temp.File("out.onnx"), "float64", learningRate: "1e200"));
        Assert.True(run.ExitCode == 4, run.ToString());
        Assert.Contains("step ", run.Error);
    }

    [Fact]
    public void A_resumed_checkpoint_reaches_the_parameters_of_an_uninterrupted_run()
    {
        using var temp = new TempDirectory();
        string straight = temp.File("straight.pcn"), checkpoint = temp.File("half.pcn"), resumed = temp.File("resumed.pcn");
        Assert.Equal(0, CliProcess.Run(AcceptanceArguments("lenet5", "ce", 10, straight, "float64")).ExitCode);
        var first = CliProcess.Run([.. AcceptanceArguments("lenet5", "ce", 5, temp.File("ignored.onnx"), "float64"), "--checkpoint-every", "5", "--checkpoint", checkpoint]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var second = CliProcess.Run(AcceptanceArguments("lenet5", "ce", 10, resumed, "float64", model: checkpoint));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("resumed at step 5", second.Output);

        var a = ZilOnnx.Converter.Pcn.PcnArchive.Read(straight).Model.Graph.Initializer.ToDictionary(t => t.Name);
        var b = ZilOnnx.Converter.Pcn.PcnArchive.Read(resumed).Model.Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var (name, tensor) in a)
            Assert.True(tensor.RawData.Equals(b[name].RawData), $"parameter {name} differs after resuming");
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
    public void An_unknown_option_value_is_a_usage_error(string option, string value)
    {
        using var temp = new TempDirectory();
        var run = CliProcess.Run("finetune", Fixtures.PathOf("mlp.onnx"), "--data", Fixtures.PathOf("mlp.ce.npz"), "-o", temp.File("o.onnx"), option, value);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(value, run.Error);
    }

    [Fact]
    public void Asking_for_cuda_without_a_cuda_backend_is_exit_code_2_with_a_clear_message()
    {
        // This build links libtorch-cpu, so CUDA is never available to TorchSharp, with or without a GPU.
        using var temp = new TempDirectory();
        var run = CliProcess.Run([.. AcceptanceArguments("mlp", "ce", 1, temp.File("o.onnx")), "--device", "cuda"]);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("CUDA backend is not present", run.Error);
    }
}
