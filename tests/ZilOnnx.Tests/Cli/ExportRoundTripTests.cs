using Google.Protobuf;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Tests.Trainer.Rules;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Cli;

/// <summary>
/// After fine-tuning, the exported ONNX model (the original graph with updated initializers) is served by
/// ONNX Runtime with outputs equal to the PCN's own forward pass, and nothing but initializer values changed.
/// </summary>
public sealed class ExportRoundTripTests
{
    public static IEnumerable<object[]> Networks() => Fixtures.Networks.Select(n => new object[] { n.Model, n.Losses[^1] });

    [Theory]
    [MemberData(nameof(Networks))]
    public void Onnx_runtime_on_the_export_equals_the_pcn_forward_after_fine_tuning(string network, string loss)
    {
        using var model = TrajectoryHarness.Train(network, loss, Precision.Float32, new Zil(), steps: 5);
        var exported = ModelExport.WithInitializers(model.Graph.Model, model.ExportParameters());

        // The first batch: the PCN was built for batches of 8 (a model with constant sequence lengths is fixed to it).
        var all = Fixtures.Arrays($"{Fixtures.DataOf(network)}.{loss}.npz")["x"];
        long sample = all.Count / all.Shape[0];
        var x = new HostTensor(all.ElementType, [8, .. all.Shape[1..]], all.Values[..(int)(8 * sample)]);
        var values = model.Forward(new Dictionary<string, Tensor> { ["x"] = model.ToTensor(x) });
        var output = (Operand.FromVertex)model.Graph.GraphOutputs["y"];
        using var pcn = values[output.Source].to(ScalarType.Float64).contiguous();

        using var session = OnnxRuntimeSession.Open(exported.ToByteArray(), ExecutionProviderChoice.Cpu);
        var ort = session.Run(new Dictionary<string, HostTensor> { ["x"] = x })["y"];
        double worst = SequenceDifference.MaxAbs(pcn.data<double>().ToArray(), ort.Values);
        // Two float32 engines with their own summation orders: outputs of order 1 agree to ~1e-6.
        Assert.True(worst <= 1e-5, $"{network}: ONNX Runtime and the PCN differ by {worst:E3}");
    }

    [Theory]
    [InlineData("rnn_tanh", "RNN")]
    [InlineData("lstm_stacked", "LSTM")]
    [InlineData("gru_bidirectional", "GRU")]
    public void Export_keeps_the_fused_recurrent_nodes_with_updated_weights(string network, string op)
    {
        using var model = TrajectoryHarness.Train(network, "ce", Precision.Float64, new Zil(), steps: 2);
        var original = model.Graph.Model;
        var exported = ModelExport.WithInitializers(original, model.ExportParameters());
        Assert.Equal(original.Graph.Node, exported.Graph.Node);
        var fused = exported.Graph.Node.Where(n => n.OpType == op).ToList();
        Assert.NotEmpty(fused);
        var before = original.Graph.Initializer.ToDictionary(t => t.Name, t => TensorCodec.Decode(t, "original"));
        var after = exported.Graph.Initializer.ToDictionary(t => t.Name, t => TensorCodec.Decode(t, "exported"));
        foreach (var node in fused)
            foreach (string weight in node.Input.Skip(1).Take(3).Where(before.ContainsKey))
                Assert.NotEqual(before[weight].Values, after[weight].Values);
    }

    [Fact]
    public void Attributes_written_with_their_default_value_are_written_back_the_same_way()
    {
        // PyTorch writes MaxPool's ceil_mode as an explicit `i: 0`; a proto3 reader without field presence would
        // drop it on export. The attribute must survive a save and reload.
        using var model = Fixtures.Model("lenet5", "ce", Precision.Float32);
        using var temp = new TempDirectory();
        string path = temp.File("exported.onnx");
        OnnxModelFile.Save(ModelExport.WithInitializers(model.Graph.Model, model.ExportParameters()), path);
        var ceilMode = OnnxModelFile.Load(path).Graph.Node.First(n => n.OpType == "MaxPool").Attribute.Single(a => a.Name == "ceil_mode");
        Assert.True(ceilMode.HasI);
        Assert.Equal(0, ceilMode.I);
    }

    [Fact]
    public void Export_changes_initializer_values_only()
    {
        using var model = TrajectoryHarness.Train("cnn_features", "ce", Precision.Float64, new Zil(), steps: 2);
        var original = model.Graph.Model;
        var exported = ModelExport.WithInitializers(original, model.ExportParameters());

        Assert.Equal(original.Graph.Node, exported.Graph.Node);
        Assert.Equal(original.Graph.Input, exported.Graph.Input);
        Assert.Equal(original.Graph.Output, exported.Graph.Output);
        Assert.Equal(original.OpsetImport, exported.OpsetImport);
        Assert.Equal(original.Graph.Initializer.Select(t => (t.Name, t.DataType, string.Join(",", t.Dims))),
            exported.Graph.Initializer.Select(t => (t.Name, t.DataType, string.Join(",", t.Dims))));
        var before = original.Graph.Initializer.ToDictionary(t => t.Name, t => TensorCodec.Decode(t, "original"));
        var after = exported.Graph.Initializer.ToDictionary(t => t.Name, t => TensorCodec.Decode(t, "exported"));
        // Trainable tensors moved; frozen BatchNormalization statistics did not.
        Assert.NotEqual(before["conv1.weight"].Values, after["conv1.weight"].Values);
        Assert.Equal(before["bn.running_mean"].Values, after["bn.running_mean"].Values);
        Assert.Equal(TensorProto.Types.DataType.Float, after["conv1.weight"].ElementType);
    }
}
