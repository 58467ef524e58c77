using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// A model with a graph input no node reads (tests/fixtures/unused_input.onnx, `data_unused` [N, 3] beside `x` [N, 5]):
/// ONNX Runtime runs the graph without a value for it, so `eval` and `run --engine ort` leave it out, with finetune's note.
/// </summary>
public sealed class UnusedInputCommandTests
{
    private static string Model => Fixtures.PathOf("unused_input.onnx");
    private static string Data => Fixtures.PathOf("unused_input.npz");
    private const string Note = "graph input 'data_unused' is read by no node: ignored (the exported model keeps it)";

    [Fact]
    public void Onnx_runtime_runs_the_graph_without_a_value_for_the_unused_input()
    {
        // Why nothing is made up for it: ONNX Runtime asks only for the inputs the graph reads.
        using var session = new InferenceSession(Model);
        var x = Fixtures.Arrays("unused_input.npz")["x"];
        using var value = OrtValue.CreateTensorValueFromMemory(x.Values.Select(v => (float)v).ToArray(), x.Shape);
        using var options = new RunOptions();
        using var outputs = session.Run(options, ["x"], [value], ["y"]);
        Assert.Equal([12L, 3], outputs[0].GetTensorTypeAndShape().Shape);
    }

    [Fact]
    public void Eval_leaves_the_unused_input_out_and_says_so()
    {
        var run = CliProcess.Run("eval", Model, "--data", Data, "--provider", "cpu", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"note: {Model}: {Note}", run.Error);
        var root = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal(12, root.GetProperty("samples").GetInt64());
        Assert.True(double.IsFinite(root.GetProperty("loss").GetDouble()));
    }

    [Fact]
    public void Run_with_onnx_runtime_leaves_the_unused_input_out_and_agrees_with_the_pcn()
    {
        using var temp = new TempDirectory();
        var ort = CliProcess.Run("run", Model, "--data", Data, "-o", temp.File("ort.npz"), "--engine", "ort");
        Assert.True(ort.ExitCode == 0, ort.ToString());
        Assert.Contains($"note: {Model}: {Note}", ort.Error);
        var pcn = CliProcess.Run("run", Model, "--data", Data, "-o", temp.File("pcn.npz"), "--engine", "pcn");
        Assert.True(pcn.ExitCode == 0, pcn.ToString());

        var fromOrt = NpzArchive.Read(temp.File("ort.npz"))["y"];
        var fromPcn = NpzArchive.Read(temp.File("pcn.npz"))["y"];
        Assert.Equal(fromPcn.Shape, fromOrt.Shape);
        // Two float32 engines, outputs of order 1: a few roundings apart.
        double worst = SequenceDifference.MaxAbs(fromOrt.Values, fromPcn.Values);
        Assert.True(worst <= 1e-5, $"ONNX Runtime and the PCN differ by {worst:E3}");
    }
}
