using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// `finetune` on a graph exported in training mode: the export stays a training-mode graph with moved running
/// statistics, ONNX Runtime runs it as the PCN does, and `--bn` refuses what it does not know.
/// </summary>
public sealed class TrainingModeCliTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string Model = Fixtures.PathOf("bn_train_opset15.onnx");
    private static readonly string Data = Fixtures.PathOf("bn_train.npz");

    [Fact]
    public void Exported_training_mode_graph_runs_in_onnx_runtime_as_in_the_pcn()
    {
        using var dir = new TempDirectory();
        var trained = CliProcess.Run("finetune", Model, "--data", Data, "-o", dir.File("out.onnx"), "--steps", "2", "--batch-size", "8",
            "--lr", "0.1", "--no-shuffle", "--precision", "float64");
        Assert.True(trained.ExitCode == 0, trained.Error);

        var original = OnnxModelFile.Load(Model);
        var exported = OnnxModelFile.Load(dir.File("out.onnx"));
        // The graph stays as it came (training_mode = 1); the running statistics moved and were written back.
        Assert.Equal(original.Graph.Node.ToString(), exported.Graph.Node.ToString());
        var before = original.Graph.Initializer.Single(t => t.Name == "bn1.running_var");
        var after = exported.Graph.Initializer.Single(t => t.Name == "bn1.running_var");
        Assert.NotEqual(before.RawData, after.RawData);

        foreach (string engine in new[] { "ort", "pcn" })
        {
            var run = CliProcess.Run("run", dir.File("out.onnx"), "--data", Data, "-o", dir.File($"{engine}.npz"), "--engine", engine, "--precision", "float64");
            Assert.True(run.ExitCode == 0, run.Error);
        }
        var ort = NpzArchive.Read(dir.File("ort.npz"))["y"].Values;
        var pcn = NpzArchive.Read(dir.File("pcn.npz"))["y"].Values;
        // Both normalize with the statistics of all 16 samples; ONNX Runtime computes in float32 (the file's type), the
        // PCN in float64, so they agree to float32 rounding through five layers: 1e-5 of the outputs' size.
        double difference = SequenceDifference.MaxAbs(ort, pcn), scale = pcn.Max(Math.Abs);
        output.WriteLine($"ORT vs PCN: {difference:E3} absolute, outputs up to {scale:F3}");
        Assert.True(difference <= 1e-5 * scale, $"ONNX Runtime and the PCN differ by {difference:E3}");
    }

    [Fact]
    public void Unknown_bn_value_is_a_usage_error()
    {
        using var dir = new TempDirectory();
        var result = CliProcess.Run("finetune", Model, "--data", Data, "-o", dir.File("out.onnx"), "--steps", "1", "--bn", "running");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--bn", result.Error);
        Assert.False(File.Exists(dir.File("out.onnx")));
    }

    [Fact]
    public void Bn_frozen_leaves_running_statistics_as_they_were()
    {
        using var dir = new TempDirectory();
        var trained = CliProcess.Run("finetune", Model, "--data", Data, "-o", dir.File("out.onnx"), "--steps", "1", "--batch-size", "8", "--bn", "frozen");
        Assert.True(trained.ExitCode == 0, trained.Error);
        var original = OnnxModelFile.Load(Model).Graph.Initializer.Single(t => t.Name == "bn1.running_mean");
        var exported = OnnxModelFile.Load(dir.File("out.onnx")).Graph.Initializer.Single(t => t.Name == "bn1.running_mean");
        Assert.Equal(original.RawData, exported.RawData);
    }
}
