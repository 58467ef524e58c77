using System.Text.Json;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>--num-classes, --reinit, --freeze, --train and --train-last through the command line: the export, inspect, and the refusals.</summary>
public sealed class TransferCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("zilonnx-transfer-").FullName;
    private static string LeNet => Repository.PathOf("models", "lenet5-fashion.onnx");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The LeNet-5 fixture's images with five classes (labels modulo 5).</summary>
    private string FiveClassData()
    {
        var arrays = Fixtures.Arrays("lenet5.ce.npz");
        var y = arrays["y"];
        string path = Path.Combine(_folder, "five.npz");
        NpzArchive.Write(path, [new("x", arrays["x"]), new("y", new HostTensor(y.ElementType, y.Shape, y.Values.Select(v => v % 5).ToArray()))]);
        return path;
    }

    [Fact]
    public void Finetune_with_a_new_head_exports_it_and_leaves_frozen_initializers_bitwise_unchanged()
    {
        string output = Path.Combine(_folder, "five.onnx");
        var result = CliProcess.Run("finetune", LeNet, "--data", FiveClassData(), "-o", output, "--num-classes", "5", "--train-last", "2",
            "--steps", "3", "--batch-size", "8", "--verify-every", "1", "--precision", "float64");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("--num-classes 5: replaced Gemm '/fc3/Gemm' (10 classes)", result.Output + result.Error);

        var original = OnnxModelFile.Load(LeNet).Graph.Initializer.ToDictionary(t => t.Name);
        var exported = OnnxModelFile.Load(output).Graph.Initializer.ToDictionary(t => t.Name);
        foreach (string frozen in new[] { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias" })
            Assert.Equal(original[frozen], exported[frozen]);
        Assert.NotEqual(original["fc2.weight"], exported["fc2.weight"]);
        Assert.Equal([5L, 84], exported["fc3.weight"].Dims);
        Assert.Equal(5, OnnxModelFile.Load(output).Graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue);
    }

    [Fact]
    public void Finetune_reinit_starts_from_fresh_parameters_and_a_resumed_run_keeps_the_checkpoint_s()
    {
        string checkpoint = Path.Combine(_folder, "fresh.checkpoint.pcn");
        string data = Fixtures.PathOf("lenet5.ce.npz");
        var fresh = CliProcess.Run("finetune", LeNet, "--reinit", "--data", data, "--steps", "1", "--batch-size", "8", "--no-shuffle",
            "--checkpoint-every", "1", "--checkpoint", checkpoint, "-o", Path.Combine(_folder, "fresh.onnx"));
        Assert.True(fresh.ExitCode == 0, fresh.ToString());
        Assert.Contains("--reinit: drew 10 initializers afresh from --seed 0", fresh.Output);
        // A fresh LeNet-5 scores the 10 classes nearly alike: its first loss is within 0.1 of ln 10 (the shipped model's is
        // below 1 on these samples).
        var firstLoss = System.Text.RegularExpressions.Regex.Match(fresh.Output, @"fine-tuned 1 steps in [0-9.]+ s: loss ([0-9.]+)");
        Assert.True(firstLoss.Success, fresh.ToString());
        Assert.InRange(double.Parse(firstLoss.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Math.Log(10) - 0.1,
            Math.Log(10) + 0.1);

        var resumed = CliProcess.Run("finetune", checkpoint, "--reinit", "--data", data, "--steps", "2", "--batch-size", "8",
            "--no-shuffle", "-o", Path.Combine(_folder, "resumed.onnx"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("--reinit: a checkpoint continues its run from the parameters it recorded, not drawn again", resumed.Output);
        Assert.DoesNotContain("drew 10 initializers", resumed.Output);
    }

    [Fact]
    public void Inspect_train_shows_what_would_train()
    {
        var result = CliProcess.Run("inspect", LeNet, "--train", "fc3.*,/fc2/Gemm", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var trained = json.RootElement.GetProperty("graph").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Order();
        Assert.Equal(["fc2.bias", "fc2.weight", "fc3.bias", "fc3.weight"], trained);
        var frozen = json.RootElement.GetProperty("frozen").EnumerateArray().Select(p => p.GetString());
        Assert.Equal(["conv1.bias", "conv1.weight", "conv2.bias", "conv2.weight", "fc1.bias", "fc1.weight"], frozen);
    }

    [Theory]
    [InlineData("--freeze nothing*", "--freeze 'nothing*' matches no initializer")]
    [InlineData("--train fc3.* --freeze fc3.bias", "parameter 'fc3.bias' is selected by both --train and --freeze")]
    [InlineData("--freeze *", "leaves no parameter to train")]
    [InlineData("--train-last 9", "--train-last 9: the model has 5 parameterized layers")]
    public void A_selection_the_model_cannot_satisfy_is_one_error_line_and_exit_2(string options, string message) =>
        AssertOneErrorLine(options, message, exitCode: 2);

    [Fact]
    public void Train_with_train_last_is_a_usage_error() =>
        AssertOneErrorLine("--train fc3.* --train-last 1", "error: --train and --train-last exclude each other", exitCode: 1);

    private void AssertOneErrorLine(string options, string message, int exitCode)
    {
        var result = CliProcess.Run(["verify", LeNet, "--data", FiveClassData(), .. options.Split(' ')]);
        Assert.True(result.ExitCode == exitCode, result.ToString());
        string error = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", error);
        Assert.Contains(message, error);
    }
}
