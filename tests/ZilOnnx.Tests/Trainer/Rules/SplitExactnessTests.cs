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
/// Every output of a Split is a vertex of its own; Z-IL stays exact when the parts meet again downstream, each
/// part's error landing in its own window of the split tensor. The head's weight is one initializer split in two,
/// so both parts' updates must add up in the stored tensor.
/// </summary>
public sealed class SplitExactnessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// x[8, 5] -> Gemm -> h[8, 7] -> Split (opset 18 num_outputs = 3: parts 3, 3, 1) -> a * b + c -> m[8, 3];
    /// y = m Wa + tanh(m) Wb, where Wa and Wb are the two halves of W_stored[3, 4].
    /// </summary>
    private static ModelProto Model()
    {
        var model = new ModelBuilder(opset: 18)
            .Input("x", 8, 5).Output("y", 8, 2)
            .Initializer("W1", [5, 7], PcGraphBuilderTests.Values(35, 1))
            .Initializer("b1", [7], PcGraphBuilderTests.Values(7, 2))
            .Initializer("W_stored", [3, 4], PcGraphBuilderTests.Values(12, 3))
            .Int64s("halves", 2, 2)
            .Op("Gemm", ["x", "W1", "b1"], "h")
            .Node("Split", ["h"], ["a", "b", "c"], "thirds")
            .Node("Split", ["W_stored", "halves"], ["Wa", "Wb"], "weight_halves")
            .Op("Mul", ["a", "b"], "ab")
            .Op("Add", ["ab", "c"], "m")
            .Op("Gemm", ["m", "Wa"], "ya")
            .Op("Tanh", ["m"], "t")
            .Op("Gemm", ["t", "Wb"], "yb")
            .Op("Add", ["ya", "yb"], "y")
            .Build();
        model.Graph.Node.Single(n => n.Name == "thirds").Attribute.AddRange([Int("axis", 1), Int("num_outputs", 3)]);
        model.Graph.Node.Single(n => n.Name == "weight_halves").Attribute.Add(Int("axis", 1));
        return model;
    }

    [Theory]
    [InlineData(Precision.Float64)]
    [InlineData(Precision.Float32)]
    public void Zil_equals_backprop_through_every_split_output(Precision precision)
    {
        double tolerance = precision == Precision.Float64 ? 1e-12 : Tolerances.Exactness(precision);
        var graph = PcGraphBuilder.Build(Model(), "split.onnx");
        // Three parts of the data, each a vertex; the weight's halves are views of one parameter.
        Assert.Equal([0, 1, 2], graph.Vertices.Where(v => v.Op is SplitSpec).Select(v => ((SplitSpec)v.Op).Index));
        Assert.Equal(["W1", "W_stored", "b1"], graph.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal));

        using var model = new PcnModel(graph, precision, CPU);
        var x = new HostTensor(TensorProto.Types.DataType.Float, [8, 5], PcGraphBuilderTests.Values(40, 6).Select(v => (double)v).ToArray());
        var y = new HostTensor(TensorProto.Types.DataType.Float, [8, 2], PcGraphBuilderTests.Values(16, 7).Select(v => (double)v).ToArray());
        // Both halves of the stored weight are read, so neither half's update is zero.
        double firstHalf = 0, secondHalf = 0;
        var divergences = ZilBackpropComparison.Run(model, x, y, inspect: updates =>
        {
            firstHalf = updates["W_stored"].narrow(1, 0, 2).MaxAbs();
            secondHalf = updates["W_stored"].narrow(1, 2, 2).MaxAbs();
        });
        Assert.True(firstHalf > 1e-6 && secondHalf > 1e-6, $"W_stored halves: {firstHalf:E2}, {secondHalf:E2}");
        Assert.Equal(3, divergences.Count);
        double worst = divergences.Select(d => d.MaxRel).LargestOrNaN();
        output.WriteLine($"{precision}: worst relative divergence {worst:E3}");
        Assert.True(worst <= tolerance, $"{precision}: relative divergence {worst:E3} ({string.Join(", ", divergences.Select(d => $"{d.Name} {d.MaxRel:E2}"))})");
    }
}
