using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.Converter.Graph;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;
using static ZilOnnx.Tests.Converter.Ops.GlueGraph;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Backprop reads a levelling copy as its source's tensor, so autograd sums a source's error over all its consumers
/// at once, where Z-IL sums it link by link along the levelling chain. With three or more terms the association of
/// the sum decides the last bit; a DenseNet-style block, whose first feature map is read by a layer and by two
/// concatenations at other depths, must still give backprop's update exactly.
/// </summary>
public sealed class DenseJoinExactnessTests
{
    /// <summary>
    /// x[8, 6] -> Gemm -> h1; h2 = Gemm(Relu(h1)); c1 = Concat(h1, h2); h3 = Gemm(Relu(c1)); y = Gemm(Concat(h1, h2, h3)).
    /// </summary>
    private static ModelProto Model() => new ModelBuilder(opset: 13)
        .Input("x", 8, 6).Output("y", 8, 3)
        .Initializer("W1", [6, 6], PcGraphBuilderTests.Values(36, 1))
        .Initializer("b1", [6], PcGraphBuilderTests.Values(6, 2))
        .Initializer("W2", [6, 6], PcGraphBuilderTests.Values(36, 3))
        .Initializer("W3", [12, 6], PcGraphBuilderTests.Values(72, 4))
        .Initializer("W4", [18, 3], PcGraphBuilderTests.Values(54, 5))
        .Op("Gemm", ["x", "W1", "b1"], "h1")
        .Op("Relu", ["h1"], "r1")
        .Op("Gemm", ["r1", "W2"], "h2")
        .Op("Concat", ["h1", "h2"], "c1", Int("axis", 1))
        .Op("Relu", ["c1"], "r2")
        .Op("Gemm", ["r2", "W3"], "h3")
        .Op("Concat", ["h1", "h2", "h3"], "c2", Int("axis", 1))
        .Op("Gemm", ["c2", "W4"], "y")
        .Build();

    [Theory]
    [InlineData(Precision.Float64)]
    [InlineData(Precision.Float32)]
    public void Zil_equals_backprop_bitwise_when_a_source_feeds_three_depths(Precision precision)
    {
        var graph = PcGraphBuilder.Build(Model(), "dense-join.onnx");
        // h1 is read at three depths: by Relu directly and by the two concatenations through its levelling chain.
        Assert.True(graph.Vertices.Count(v => v.Kind == VertexKind.Levelling && v.Name.StartsWith("h1#")) >= 2);

        using var model = new PcnModel(graph, precision, CPU);
        var x = new HostTensor(TensorProto.Types.DataType.Float, [8, 6], PcGraphBuilderTests.Values(48, 6).Select(v => 4.0 * v).ToArray());
        var y = new HostTensor(TensorProto.Types.DataType.Float, [8, 3], PcGraphBuilderTests.Values(24, 7).Select(v => (double)v).ToArray());
        var divergences = ZilBackpropComparison.Run(model, x, y);
        Assert.Equal(5, divergences.Count);
        Assert.All(divergences, d => Assert.True(d.MaxAbs == 0, $"{precision}: {d.Name} differs from backprop by {d.MaxAbs:E3}"));
    }
}
