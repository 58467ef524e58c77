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
/// Z-IL hands the error of an Add of same-shaped vertices to its terms without a tape (the local product is the error
/// itself); these joins must still give backprop's update to the last bit, whether both terms are free, one is data
/// (which takes no error), or the terms broadcast (the product is then a reduction and the Add takes a tape).
/// </summary>
public sealed class ResidualSumExactnessTests
{
    /// <summary>
    /// x[8, 6] -> Gemm -> h1; s1 = h1 + Gemm(Relu(h1)) (two free terms); s2 = s1 + x (a data term);
    /// s3 = s2 + ReduceMean(s2, batch axis) (broadcast); y = Gemm(s3)[8, 3].
    /// </summary>
    internal static ModelProto Model() => new ModelBuilder(opset: 13)
        .Input("x", 8, 6).Output("y", 8, 3)
        .Initializer("W1", [6, 6], PcGraphBuilderTests.Values(36, 1))
        .Initializer("b1", [6], PcGraphBuilderTests.Values(6, 2))
        .Initializer("W2", [6, 6], PcGraphBuilderTests.Values(36, 3))
        .Initializer("W3", [6, 3], PcGraphBuilderTests.Values(18, 4))
        .Op("Gemm", ["x", "W1", "b1"], "h1")
        .Op("Relu", ["h1"], "r")
        .Op("Gemm", ["r", "W2"], "g")
        .Op("Add", ["h1", "g"], "s1")
        .Op("Add", ["s1", "x"], "s2")
        .Op("ReduceMean", ["s2"], "m", Ints("axes", 0), Int("keepdims", 1))
        .Op("Add", ["s2", "m"], "s3")
        .Op("Gemm", ["s3", "W3"], "y")
        .Build();

    [Theory]
    [InlineData(Precision.Float64)]
    [InlineData(Precision.Float32)]
    public void Zil_equals_backprop_bitwise_through_residual_sums(Precision precision)
    {
        var graph = PcGraphBuilder.Build(Model(), "residual-sums.onnx");
        Assert.Equal(3, graph.Vertices.Count(v => v.Op is AddSpec));

        using var model = new PcnModel(graph, precision, CPU);
        var x = new HostTensor(TensorProto.Types.DataType.Float, [8, 6], PcGraphBuilderTests.Values(48, 5).Select(v => 4.0 * v).ToArray());
        var y = new HostTensor(TensorProto.Types.DataType.Float, [8, 3], PcGraphBuilderTests.Values(24, 6).Select(v => (double)v).ToArray());
        var divergences = ZilBackpropComparison.Run(model, x, y);
        Assert.Equal(4, divergences.Count);
        // Bitwise: handing the error on is what autograd's AddBackward does, and every other product comes from the
        // kernels autograd runs, on the same tensors in this process; so not even rounding may differ, on any machine
        // (ZilClosedFormTests says why the machine's SIMD width or thread count changes nothing).
        Assert.All(divergences, d => Assert.True(d.MaxAbs == 0, $"{precision}: {d.Name} differs from backprop by {d.MaxAbs:E3}"));
    }
}
