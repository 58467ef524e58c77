using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.Converter.Graph;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;
using static ZilOnnx.Tests.Converter.Ops.GlueGraph;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Normalizations and reductions keep Z-IL exact: each couples the elements it normalizes or reduces, and their
/// local vector-Jacobian products carry that coupling back within one vertex, so the errors still reach every
/// parameter at the step C2 schedules.
/// </summary>
public sealed class NormalizationExactnessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// x[8, 6] -> Gemm -> LayerNormalization (Scale, B) -> Relu -> Reshape [8, 4, 3] -> InstanceNormalization
    /// (scale, B) -> LRN -> ReduceMean over the last axis -> Gemm -> y[8, 3].
    /// </summary>
    private static ModelProto Model() => new ModelBuilder(opset: 18)
        .Input("x", 8, 6).Output("y", 8, 3)
        .Initializer("W1", [6, 12], PcGraphBuilderTests.Values(72, 1))
        .Initializer("b1", [12], PcGraphBuilderTests.Values(12, 2))
        .Initializer("ln_scale", [12], PcGraphBuilderTests.Values(12, 3).Select(v => 1 + v).ToArray())
        .Initializer("ln_bias", [12], PcGraphBuilderTests.Values(12, 4))
        .Initializer("in_scale", [4], PcGraphBuilderTests.Values(4, 5).Select(v => 1 + v).ToArray())
        .Initializer("in_bias", [4], PcGraphBuilderTests.Values(4, 6))
        .Initializer("W2", [4, 3], PcGraphBuilderTests.Values(12, 7))
        .Initializer("b2", [3], PcGraphBuilderTests.Values(3, 8))
        .Int64s("channels_shape", 8, 4, 3).Int64s("last_axis", -1)
        .Op("Gemm", ["x", "W1", "b1"], "h1")
        .Op("LayerNormalization", ["h1", "ln_scale", "ln_bias"], "n1", Int("axis", -1))
        .Op("Relu", ["n1"], "r1")
        .Op("Reshape", ["r1", "channels_shape"], "c1")
        .Op("InstanceNormalization", ["c1", "in_scale", "in_bias"], "n2")
        .Op("LRN", ["n2"], "l2", Int("size", 3))
        .Op("ReduceMean", ["l2", "last_axis"], "m2", Int("keepdims", 0))
        .Op("Gemm", ["m2", "W2", "b2"], "y")
        .Build();

    [Theory]
    [InlineData(Precision.Float64)]
    [InlineData(Precision.Float32)]
    public void Zil_equals_backprop_through_normalizations_and_reductions(Precision precision)
    {
        double tolerance = precision == Precision.Float64 ? 1e-12 : Tolerances.Exactness(precision);
        var graph = PcGraphBuilder.Build(Model(), "normalizations.onnx");
        Assert.Contains(graph.Vertices, v => v.Op is LayerNormalizationSpec);
        Assert.Contains(graph.Vertices, v => v.Op is InstanceNormalizationSpec);
        Assert.Contains(graph.Vertices, v => v.Op is LrnSpec);
        Assert.Contains(graph.Vertices, v => v.Op is ReduceSpec);

        using var model = new PcnModel(graph, precision, CPU);
        var x = new HostTensor(TensorProto.Types.DataType.Float, [8, 6], PcGraphBuilderTests.Values(48, 9).Select(v => (double)v).ToArray());
        var y = new HostTensor(TensorProto.Types.DataType.Float, [8, 3], PcGraphBuilderTests.Values(24, 10).Select(v => (double)v).ToArray());
        var divergences = ZilBackpropComparison.Run(model, x, y, smallestUpdate: 1e-8);
        Assert.Equal(8, divergences.Count);
        double worst = divergences.Select(d => d.MaxRel).LargestOrNaN();
        output.WriteLine($"{precision}: worst relative divergence {worst:E3}");
        Assert.True(worst <= tolerance, $"{precision}: relative divergence {worst:E3} ({string.Join(", ", divergences.Select(d => $"{d.Name} {d.MaxRel:E2}"))})");
    }
}
