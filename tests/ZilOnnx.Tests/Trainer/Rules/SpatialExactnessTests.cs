using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.Converter.Graph;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;
using static ZilOnnx.Tests.Converter.Ops.GlueGraph;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>Z-IL equals backprop through 1-D convolution, 1-D max pooling and 2-D transposed convolution.</summary>
public sealed class SpatialExactnessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// x[4, 2, 12] -> Conv1d (3 channels, kernel 3, pads 1) -> Relu -> MaxPool1d (kernel 2, stride 2) -> [4, 3, 6]
    /// -> Unsqueeze to [4, 3, 1, 6] -> ConvTranspose2d (2 channels, kernel 2, stride 2) -> [4, 2, 2, 12] -> Flatten -> Gemm -> y[4, 3].
    /// </summary>
    private static ModelProto Model() => new ModelBuilder(opset: 13)
        .Input("x", 4, 2, 12).Output("y", 4, 3)
        .Initializer("W1", [3, 2, 3], PcGraphBuilderTests.Values(18, 1))
        .Initializer("b1", [3], PcGraphBuilderTests.Values(3, 2))
        .Initializer("W2", [3, 2, 2, 2], PcGraphBuilderTests.Values(24, 3))
        .Initializer("b2", [2], PcGraphBuilderTests.Values(2, 4))
        .Initializer("W3", [48, 3], PcGraphBuilderTests.Values(144, 5))
        .Int64s("height_axis", 2)
        .Op("Conv", ["x", "W1", "b1"], "c1", Ints("pads", 1, 1))
        .Op("Relu", ["c1"], "r1")
        .Op("MaxPool", ["r1"], "p1", Ints("kernel_shape", 2), Ints("strides", 2))
        .Op("Unsqueeze", ["p1", "height_axis"], "p2")
        .Op("ConvTranspose", ["p2", "W2", "b2"], "t1", Ints("strides", 2, 2))
        .Op("Flatten", ["t1"], "f")
        .Op("Gemm", ["f", "W3"], "y")
        .Build();

    [Fact]
    public void Zil_equals_backprop_through_conv1d_maxpool1d_and_convtranspose2d()
    {
        var graph = PcGraphBuilder.Build(Model(), "spatial.onnx");
        Assert.Contains(graph.Vertices, v => v.Op is ConvSpec { SpatialRank: 1 });
        Assert.Contains(graph.Vertices, v => v.Op is PoolSpec { SpatialRank: 1 });
        Assert.Contains(graph.Vertices, v => v.Op is ConvTransposeSpec { SpatialRank: 2 });

        using var model = new PcnModel(graph, Precision.Float64, CPU);
        var x = new HostTensor(TensorProto.Types.DataType.Float, [4, 2, 12], PcGraphBuilderTests.Values(96, 6).Select(v => (double)v).ToArray());
        var y = new HostTensor(TensorProto.Types.DataType.Float, [4, 3], PcGraphBuilderTests.Values(12, 7).Select(v => (double)v).ToArray());
        var divergences = ZilBackpropComparison.Run(model, x, y);
        Assert.Equal(5, divergences.Count);
        double worst = divergences.Select(d => d.MaxRel).LargestOrNaN();
        output.WriteLine($"worst relative divergence {worst:E3}");
        Assert.True(worst <= 1e-12, $"relative divergence {worst:E3} ({string.Join(", ", divergences.Select(d => $"{d.Name} {d.MaxRel:E2}"))})");
    }
}
