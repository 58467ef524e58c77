using System.Text.Json;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>`inspect`, `convert` and `run`, and the exit code 2 a broken or unsupported model gets.</summary>
public sealed class ModelCommandsTests
{
    [Fact]
    public void Inspect_json_lists_parameters_schedule_and_levelling_vertices()
    {
        var run = CliProcess.Run("inspect", Fixtures.PathOf("residual_mlp.onnx"), "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var graph = json.RootElement.GetProperty("graph");
        Assert.Equal(8, graph.GetProperty("parameters").GetArrayLength());
        Assert.Equal(4, graph.GetProperty("levelling_vertices").GetArrayLength());
        Assert.Contains(graph.GetProperty("vertices").EnumerateArray(), v => v.GetProperty("op").GetString() == "Add" && v.GetProperty("depth").GetInt32() == 4);
        Assert.Equal(0, json.RootElement.GetProperty("unsupported_operators").GetArrayLength());
        Assert.All(graph.GetProperty("vertices").EnumerateArray(), v => Assert.Equal(2, v.GetProperty("shape").GetArrayLength()));
    }

    [Fact]
    public void Inspect_prints_the_schedule_as_a_table_with_depth_op_shape_and_inputs()
    {
        var run = CliProcess.Run("inspect", Fixtures.PathOf("lenet5.onnx"));
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Output.Split('\n');
        string header = lines.Single(l => l.TrimStart().StartsWith("d    vertex"));
        int shapeColumn = header.IndexOf("shape", StringComparison.Ordinal);
        // The first convolution: d = 11 in LeNet-5's 13-vertex chain, its output for one sample, read from its column.
        string conv = lines.Single(l => l.Contains("/conv1/Conv_output_0  "));
        Assert.StartsWith("  11 ", conv);
        Assert.StartsWith("[1, 6, 28, 28]", conv[shapeColumn..]);
        Assert.Contains("12 inference steps", run.Output);
    }

    [Fact]
    public void Convert_to_pcn_and_back_gives_the_same_onnx_graph()
    {
        using var temp = new TempDirectory();
        string pcn = temp.File("m.pcn"), back = temp.File("back.onnx");
        Assert.Equal(0, CliProcess.Run("convert", Fixtures.PathOf("cnn_features.onnx"), pcn).ExitCode);
        Assert.Equal(0, CliProcess.Run("convert", pcn, back).ExitCode);
        Assert.Equal(OnnxModelFile.Load(Fixtures.PathOf("cnn_features.onnx")), OnnxModelFile.Load(back));
    }

    [Fact]
    public void Run_with_the_pcn_engine_equals_onnx_runtime()
    {
        using var temp = new TempDirectory();
        string pcnOut = temp.File("pcn.npz"), ortOut = temp.File("ort.npz");
        string data = Fixtures.PathOf("lenet5.ce.npz");
        Assert.Equal(0, CliProcess.Run("run", Fixtures.PathOf("lenet5.onnx"), "--data", data, "-o", pcnOut, "--engine", "pcn").ExitCode);
        Assert.Equal(0, CliProcess.Run("run", Fixtures.PathOf("lenet5.onnx"), "--data", data, "-o", ortOut, "--engine", "ort").ExitCode);
        var pcn = NpzArchive.Read(pcnOut)["y"];
        var ort = NpzArchive.Read(ortOut)["y"];
        Assert.Equal(ort.Shape, pcn.Shape);
        // Both run float32 convolutions with their own summation orders; logits of order 1 agree to ~1e-6.
        Assert.True(SequenceDifference.MaxAbs(pcn.Values, ort.Values) <= 1e-5);
    }

    [Fact]
    public void A_file_that_is_not_a_model_gets_exit_code_2_and_one_line()
    {
        using var temp = new TempDirectory();
        string junk = temp.File("junk.onnx");
        File.WriteAllBytes(junk, [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03]);
        var run = CliProcess.Run("inspect", junk);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: ", run.Error);
        Assert.Contains("junk.onnx", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public void A_missing_model_gets_exit_code_2()
    {
        var run = CliProcess.Run("convert", "/nonexistent/model.onnx", "/tmp/x.pcn");
        Assert.True(run.ExitCode == 2, run.ToString());
    }

    [Fact]
    public void Ops_lists_the_registry_with_versions_and_forms()
    {
        var run = CliProcess.Run("ops", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var operators = json.RootElement.GetProperty("operators").EnumerateArray().ToList();
        var lstm = operators.Single(o => o.GetProperty("op_type").GetString() == "LSTM");
        Assert.Contains(7, lstm.GetProperty("since_versions").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Contains("unrolled into vertices", lstm.GetProperty("forms").EnumerateArray().Select(f => f.GetString()));
        var constant = operators.Single(o => o.GetProperty("op_type").GetString() == "Constant");
        Assert.DoesNotContain("vertex", constant.GetProperty("forms").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains(operators, o => o.GetProperty("op_type").GetString() == "Conv");
    }
}
