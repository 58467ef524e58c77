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

/// <summary>Elementwise vertices with trainable operands (a PRelu slope, a learned scale) keep Z-IL equal to backprop.</summary>
public sealed class ElementwiseExactnessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// x[8, 5] -> Gemm -> PRelu(slope [6]) -> Mul(scale [6]) -> HardSwish -> Clip -> Gemm -> Max(with a Gemm of the
    /// first layer's output, a skip that levelling aligns) -> Sub(bias [3]) -> y[8, 3].
    /// </summary>
    private static ModelProto Model() => new ModelBuilder(opset: 14)
        .Input("x", 8, 5).Output("y", 8, 3)
        .Initializer("W1", [5, 6], PcGraphBuilderTests.Values(30, 1))
        .Initializer("b1", [6], PcGraphBuilderTests.Values(6, 2))
        .Initializer("slope", [6], PcGraphBuilderTests.Values(6, 3))
        .Initializer("scale", [6], PcGraphBuilderTests.Values(6, 4).Select(v => v * 8).ToArray())
        .Initializer("W2", [6, 3], PcGraphBuilderTests.Values(18, 5))
        .Initializer("W3", [6, 3], PcGraphBuilderTests.Values(18, 6))
        .Initializer("b2", [3], PcGraphBuilderTests.Values(3, 7))
        .Initializer(ModelBuilder.FloatTensor("lo", [], -0.3f))
        .Initializer(ModelBuilder.FloatTensor("hi", [], 2f))
        .Op("Gemm", ["x", "W1", "b1"], "h1")
        .Op("PRelu", ["h1", "slope"], "p")
        .Op("Mul", ["p", "scale"], "s")
        .Op("HardSwish", ["s"], "a")
        .Op("Clip", ["a", "lo", "hi"], "c")
        .Op("Gemm", ["c", "W2"], "h2")
        .Op("Gemm", ["h1", "W3"], "skip")
        .Op("Max", ["h2", "skip"], "m")
        .Op("Sub", ["m", "b2"], "y")
        .Build();

    [Theory]
    [InlineData(Precision.Float64)]
    [InlineData(Precision.Float32)]
    public void Zil_equals_backprop_through_elementwise_operators(Precision precision)
    {
        double tolerance = precision == Precision.Float64 ? 1e-12 : TestSupport.Tolerances.Exactness(precision);
        var graph = PcGraphBuilder.Build(Model(), "elementwise.onnx");
        Assert.Contains(graph.Vertices, v => v.Op is PReluSpec);
        Assert.Contains(graph.Vertices, v => v.Op is ArithmeticSpec { Op: Arithmetic.Mul });
        Assert.Contains(graph.Vertices, v => v.Op is VariadicSpec { Kind: Variadic.Max });
        Assert.Equal(["W1", "W2", "W3", "b1", "b2", "scale", "slope"], graph.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal));

        using var model = new PcnModel(graph, precision, CPU);
        var x = new HostTensor(TensorProto.Types.DataType.Float, [8, 5], PcGraphBuilderTests.Values(40, 8).Select(v => 4.0 * v).ToArray());
        var y = new HostTensor(TensorProto.Types.DataType.Float, [8, 3], PcGraphBuilderTests.Values(24, 9).Select(v => (double)v).ToArray());
        var divergences = ZilBackpropComparison.Run(model, x, y);
        Assert.Equal(7, divergences.Count);
        double worst = divergences.Select(d => d.MaxRel).LargestOrNaN();
        output.WriteLine($"{precision}: worst relative divergence {worst:E3}");
        Assert.True(worst <= tolerance, $"{precision}: relative divergence {worst:E3} ({string.Join(", ", divergences.Select(d => $"{d.Name} {d.MaxRel:E2}"))})");
    }
}
