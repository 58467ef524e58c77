using System.Text.Json;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Converter.Foreign;

/// <summary>
/// Models no PyTorch wrote (tests/fixtures/generate_foreign_fixtures.py): a CNTK-style CNN (IR 3, opset 8,
/// initializers listed as inputs, batch fixed at 1, SAME_UPPER, separate bias Adds, MatMul + Add, a weight
/// reshaped before MatMul) and tf2onnx-style graphs (NHWC with Transpose, MatMul + Add, an LSTM with Keras'
/// glue). They import, Z-IL on them equals backprop in float64, and their exports run in ONNX Runtime.
/// </summary>
public sealed class ForeignExporterTests
{
    public static IEnumerable<object[]> Cases() =>
        from model in new[] { "cntk_style_cnn", "tf2onnx_style_lstm", "tf2onnx_style_cnn" }
        from rule in new[] { "zil", "zil-relaxed" }
        from loss in new[] { "ce", "mse" }
        select new object[] { model, rule, loss };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Zil_equals_backprop_in_float64_with_batches_larger_than_a_fixed_batch_dimension(string model, string rule, string loss)
    {
        var run = CliProcess.Run("verify", Fixtures.PathOf(model + ".onnx"), "--data", Fixtures.PathOf($"{model}.{loss}.npz"),
            "--rule", rule, "--loss", loss, "--batch-size", "8", "--steps", "3", "--no-shuffle", "--lr", "0.05", "--precision", "float64", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.True(json.RootElement.GetProperty("max_rel_divergence").GetDouble() <= 1e-10, run.Output);
        if (model.StartsWith("cntk")) Assert.Contains("one sample at a time", run.Error);
    }

    [Theory]
    [InlineData("cntk_style_cnn", "Plus214_Output_0")]
    [InlineData("tf2onnx_style_lstm", "dense/BiasAdd:0")]
    [InlineData("tf2onnx_style_cnn", "dense/Softmax:0")]
    public void The_fine_tuned_export_keeps_the_graph_and_runs_in_onnx_runtime(string model, string output)
    {
        using var temp = new TempDirectory();
        string tuned = temp.File("tuned.onnx");
        var run = CliProcess.Run("finetune", Fixtures.PathOf(model + ".onnx"), "--data", Fixtures.PathOf($"{model}.ce.npz"),
            "--batch-size", "4", "--steps", "3", "--no-shuffle", "--lr", "0.05", "-o", tuned);
        Assert.True(run.ExitCode == 0, run.ToString());

        var original = OnnxModelFile.Load(Fixtures.PathOf(model + ".onnx"));
        var exported = OnnxModelFile.Load(tuned);
        Assert.Equal(original.Graph.Node, exported.Graph.Node);
        Assert.Equal(original.Graph.Input, exported.Graph.Input);
        Assert.Equal(original.IrVersion, exported.IrVersion);

        var x = Fixtures.Arrays($"{model}.ce.npz")["x"];
        long sample = x.Count / x.Shape[0];
        var first = new HostTensor(x.ElementType, [1, .. x.Shape[1..]], x.Values[..(int)sample]);
        using var session = OnnxRuntimeSession.Open(tuned, ExecutionProviderChoice.Cpu);
        var y = session.Run(new Dictionary<string, HostTensor> { [session.Inputs[0].Name] = first })[output];
        Assert.Equal([1L, 10L], y.Shape);
        Assert.All(y.Values, v => Assert.True(double.IsFinite(v)));
    }
}
