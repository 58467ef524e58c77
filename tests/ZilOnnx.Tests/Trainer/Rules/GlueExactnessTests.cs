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
/// Glue operators on data vertices and as parameter transforms keep Z-IL exact: their kernels' local
/// vector-Jacobian products scatter each error back to the positions read (Gather, Slice), permute it back
/// (Transpose), split it between the joined inputs (Concat) and sum it over repeats (Expand).
/// </summary>
public sealed class GlueExactnessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const long Int64Max = long.MaxValue, Int64Min = long.MinValue;

    /// <summary>
    /// x[8, 6, 5] (batch, time, features). One branch takes the last time step (Transpose to time-major, Gather),
    /// the other every second step (Slice, Flatten); each goes through a Gemm, the two are joined (Concat), and a
    /// Gemm head reads them repeated twice (Unsqueeze, Expand, reversed by a negative-step Slice, Reshape). The
    /// first weight is stored transposed and the head's weight with spare rows (parameter transforms).
    /// </summary>
    private static ModelProto Model() => new ModelBuilder(opset: 13)
        .Input("x", 8, 6, 5).Output("y", 8, 3)
        .Initializer("W1_stored", [4, 5], PcGraphBuilderTests.Values(20, 1))
        .Initializer("b1", [4], PcGraphBuilderTests.Values(4, 2))
        .Initializer("W2", [15, 4], PcGraphBuilderTests.Values(60, 3))
        .Initializer("W3_stored", [20, 3], PcGraphBuilderTests.Values(60, 4))
        .Initializer("b3", [3], PcGraphBuilderTests.Values(3, 5))
        .Int64Scalar("last_step", -1)
        .Int64s("every_other_start", 0).Int64s("every_other_end", Int64Max).Int64s("time_axis", 1).Int64s("two", 2)
        .Int64s("rows_start", 0).Int64s("rows_end", 16).Int64s("axis0", 0)
        .Int64s("reverse_start", -1).Int64s("reverse_end", Int64Min).Int64s("minus_one", -1)
        .Int64s("repeat_shape", 8, 2, 8).Int64s("flat_shape", 8, 16)
        .Op("Transpose", ["x"], "time_major", Ints("perm", 1, 0, 2))
        .Op("Gather", ["time_major", "last_step"], "last", Int("axis", 0))
        .Op("Transpose", ["W1_stored"], "W1")
        .Op("Gemm", ["last", "W1", "b1"], "h1")
        .Op("Slice", ["x", "every_other_start", "every_other_end", "time_axis", "two"], "strided")
        .Op("Flatten", ["strided"], "strided_flat")
        .Op("Gemm", ["strided_flat", "W2"], "h2")
        .Op("Cast", ["h2"], "h2_float", Int("to", (long)TensorProto.Types.DataType.Float))
        .Op("Concat", ["h1", "h2_float"], "joined", Int("axis", -1))
        .Op("Tanh", ["joined"], "t")
        .Op("Unsqueeze", ["t", "time_axis"], "t3")
        .Op("Expand", ["t3", "repeat_shape"], "repeated")
        .Op("Slice", ["repeated", "reverse_start", "reverse_end", "time_axis", "minus_one"], "reversed")
        .Op("Reshape", ["reversed", "flat_shape"], "features")
        .Op("Slice", ["W3_stored", "rows_start", "rows_end", "axis0"], "W3")
        .Op("Gemm", ["features", "W3", "b3"], "y")
        .Build();

    [Theory]
    [InlineData(Precision.Float64)]
    [InlineData(Precision.Float32)]
    public void Zil_equals_backprop_through_glue_operators(Precision precision)
    {
        double tolerance = precision == Precision.Float64 ? 1e-12 : Tolerances.Exactness(precision);
        var graph = PcGraphBuilder.Build(Model(), "glue.onnx");
        // The glue runs on data as vertices and on weights as parameter transforms, as intended.
        Assert.Contains(graph.Vertices, v => v.Op is GatherSpec);
        Assert.Contains(graph.Vertices, v => v.Op is ConcatSpec);
        Assert.Contains(graph.Vertices, v => v.Op is ExpandSpec);
        Assert.Equal(2, graph.Vertices.Count(v => v.Op is SliceSpec));
        Assert.Equal(["W1_stored", "W2", "W3_stored", "b1", "b3"], graph.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal));

        using var model = new PcnModel(graph, precision, CPU);
        var x = new HostTensor(TensorProto.Types.DataType.Float, [8, 6, 5], PcGraphBuilderTests.Values(240, 6).Select(v => (double)v).ToArray());
        var y = new HostTensor(TensorProto.Types.DataType.Float, [8, 3], PcGraphBuilderTests.Values(24, 7).Select(v => (double)v).ToArray());
        // The head's spare rows are never read, so their update is exactly zero.
        double spare = double.NaN;
        var divergences = ZilBackpropComparison.Run(model, x, y, inspect: updates => spare = updates["W3_stored"].narrow(0, 16, 4).MaxAbs());
        Assert.Equal(5, divergences.Count);
        double worst = divergences.Select(d => d.MaxRel).LargestOrNaN();
        output.WriteLine($"{precision}: worst relative divergence {worst:E3}");
        Assert.True(worst <= tolerance, $"{precision}: relative divergence {worst:E3} ({string.Join(", ", divergences.Select(d => $"{d.Name} {d.MaxRel:E2}"))})");
        Assert.Equal(0.0, spare);
    }
}
