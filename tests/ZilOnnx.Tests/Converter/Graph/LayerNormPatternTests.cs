using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Converter.Graph;

/// <summary>
/// PyTorch's nn.LayerNorm exported at opset 13 (nine nodes; tests/fixtures/generate_graph_fixtures.py) maps onto one
/// LayerNormalization vertex, trains with PyTorch's gradient, keeps Z-IL bitwise equal to backprop, and falls back to
/// the nine nodes where one of its intermediate tensors is read outside the chain.
/// </summary>
public sealed class LayerNormPatternTests
{
    private const string File = "layer_norm.onnx";
    private const int Batch = 8;

    private static PcGraph Graph(ModelProto model) => PcGraphBuilder.Build(model, Fixtures.PathOf(File),
        new PcGraphOptions { InputShapes = new Dictionary<string, long[]> { ["x"] = [Batch, 4, 6] } });

    private static Batch FirstBatch(PcnModel model)
    {
        var arrays = Fixtures.Arrays("layer_norm.npz");
        var data = new DataSet(Fixtures.PathOf(File), "x", arrays["x"], arrays["y"]);
        return data.Take(new BatchOrder(data.Count, Batch, shuffle: false, seed: 0).IndicesOf(0), model.DType, model.Device);
    }

    [Fact]
    public void The_nine_exported_nodes_become_one_layer_normalization_vertex()
    {
        var model = OnnxModelFile.Load(Fixtures.PathOf(File));
        var graph = Graph(model);
        var layerNorm = Assert.Single(graph.Vertices, v => v.Op is LayerNormalizationSpec);
        Assert.Equal(1e-3, ((LayerNormalizationSpec)layerNorm.Op).Epsilon, 1e-9);
        Assert.Equal(["norm.weight", "norm.bias"], layerNorm.Operands.OfType<Operand.FromParameter>().Select(p => p.View.Root.Name));
        Assert.DoesNotContain(graph.Vertices, v => v.Op.OpType is "Pow" or "Sqrt" or "Sub" or "Div");
        // The ONNX graph the PCN exports is the file's own: the nine nodes stay.
        Assert.Equal(model.Graph.Node.Select(n => n.OpType), graph.Model.Graph.Node.Select(n => n.OpType));
    }

    [Fact]
    public void Backprop_through_the_fused_vertex_is_pytorchs_gradient()
    {
        using var pcn = new PcnModel(Graph(OnnxModelFile.Load(Fixtures.PathOf(File))), Precision.Float64, CPU);
        using var bp = new Backprop().Compute(pcn, FirstBatch(pcn), LossFactory.Create("ce"));
        var expected = Fixtures.Arrays("layer_norm.expected.npz");
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), bp.Updates.Keys.Select(k => "grad." + k).Order(StringComparer.Ordinal));
        foreach (var (name, update) in bp.Updates)
        {
            using var torchGradient = pcn.ToTensor(expected["grad." + name]);
            // The update is -dLoss/dtheta. The file holds epsilon as float32 (1e-3 + 4.7e-11) where PyTorch's float64
            // module adds 1e-3, which moves the gradient by ~2e-10 relative; 1e-8 allows that and float64 rounding. A
            // wrong epsilon (1e-5 for 1e-3) or a lost Scale moves it by 1e-4 and more.
            double error = (update + torchGradient).abs().max().ToDouble() / torchGradient.abs().max().ToDouble();
            Assert.True(error <= 1e-8, $"{name}: bp's update differs from PyTorch's gradient by {error:E3} relative");
        }
    }

    [Theory]
    [InlineData(Precision.Float32)]
    [InlineData(Precision.Float64)]
    public void Zil_equals_backprop_bitwise_through_the_fused_vertex(Precision precision)
    {
        using var pcn = new PcnModel(Graph(OnnxModelFile.Load(Fixtures.PathOf(File))), precision, CPU);
        var batch = FirstBatch(pcn);
        using var zil = new Zil().Compute(pcn, batch, LossFactory.Create("ce"));
        using var bp = new Backprop().Compute(pcn, batch, LossFactory.Create("ce"));
        foreach (var (name, update) in bp.Updates)
            Assert.True(update.equal(zil.Updates[name]).all().item<bool>(), $"{precision}/{name}: Z-IL's update is not bp's bitwise");
    }

    [Fact]
    public void A_chain_whose_centred_tensor_is_also_a_graph_output_maps_node_by_node()
    {
        var model = OnnxModelFile.Load(Fixtures.PathOf(File));
        string centred = model.Graph.Node.Single(n => n.OpType == "Sub").Output[0];
        model.Graph.Output.Add(new ValueInfoProto { Name = centred });
        var graph = Graph(model);
        Assert.DoesNotContain(graph.Vertices, v => v.Op is LayerNormalizationSpec);
        Assert.Single(graph.Vertices, v => v.Op.OpType == "Pow");
        Assert.Single(graph.Vertices, v => v.Op.OpType == "Sqrt");
    }
}
