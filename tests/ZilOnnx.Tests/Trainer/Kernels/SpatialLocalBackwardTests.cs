using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;
using static ZilOnnx.Tests.Converter.Ops.GlueGraph;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// The local vector-Jacobian products of each spatial operator's vertex (LocalTape: Record, then Backward(error)) equal
/// torch autograd through an independently written torch function of the same operator, with respect to the data and
/// to every weight, in float64. The data reaches the operator through a free vertex (FreeDataVertex), so that it is a parent
/// whose product the tape returns.
/// </summary>
public sealed class SpatialLocalBackwardTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>One operator: its node, input shape, weights, and the reference written directly with torch functions.</summary>
    public sealed record Case(string Name, int Opset, long[] Input, string OpType, AttributeProto[] Attributes, (string Name, long[] Shape)[] Weights,
        TensorProto[] Constants, Func<Tensor, Tensor[], Tensor> Reference)
    {
        public override string ToString() => Name;
    }

    private static readonly Case[] All =
    [
        new("Conv 1-D, pads, stride, dilation, groups", 11, [2, 4, 9], "Conv",
            [Ints("pads", 2, 2), Ints("strides", 2), Ints("dilations", 2), Int("group", 2)], [("W", [6, 2, 3]), ("B", [6])], [],
            (x, w) => nn.functional.conv1d(x, w[0], w[1], stride: 2, padding: 2, dilation: 2, groups: 2)),
        new("Conv 3-D, asymmetric pads", 11, [1, 2, 4, 5, 3], "Conv",
            [Ints("pads", 1, 0, 1, 0, 1, 1), Ints("strides", 1, 2, 1)], [("W", [3, 2, 2, 3, 2]), ("B", [3])], [],
            (x, w) => nn.functional.conv3d(nn.functional.pad(x, [1, 1, 0, 1, 1, 0]), w[0], w[1], strides: [1, 2, 1])),
        new("ConvTranspose 2-D, strides, pads, output_padding, groups", 11, [2, 4, 3, 4], "ConvTranspose",
            [Ints("strides", 2, 3), Ints("pads", 1, 1, 1, 1), Ints("output_padding", 1, 2), Int("group", 2)], [("W", [4, 3, 3, 3]), ("B", [6])], [],
            (x, w) => nn.functional.conv_transpose2d(x, w[0], w[1], strides: [2, 3], padding: [1, 1], output_padding: [1, 2], groups: 2)),
        new("ConvTranspose 1-D, dilations", 11, [2, 3, 5], "ConvTranspose",
            [Ints("strides", 2), Ints("dilations", 2)], [("W", [3, 2, 3])], [],
            (x, w) => nn.functional.conv_transpose1d(x, w[0], stride: 2, dilation: 2)),
        new("MaxPool 1-D, pads, stride", 12, [2, 3, 10], "MaxPool",
            [Ints("kernel_shape", 3), Ints("strides", 2), Ints("pads", 1, 1)], [], [],
            (x, w) => nn.functional.max_pool1d(x, 3, stride: 2, padding: 1)),
        new("MaxPool 3-D", 12, [1, 2, 4, 5, 4], "MaxPool",
            [Ints("kernel_shape", 2, 3, 2), Ints("strides", 2, 1, 2)], [], [],
            (x, w) => nn.functional.max_pool3d(x, [2, 3, 2], [2, 1, 2])),
        new("AveragePool 1-D, count_include_pad", 19, [2, 3, 8], "AveragePool",
            [Ints("kernel_shape", 3), Ints("pads", 1, 1), Int("count_include_pad", 1)], [], [],
            (x, w) => nn.functional.avg_pool2d(x.unsqueeze(2), [1, 3], [1, 1], [0, 1], count_include_pad: true).squeeze(2)),
        new("GlobalMaxPool 3-D", 6, [2, 3, 3, 4, 2], "GlobalMaxPool", [], [], [],
            (x, w) => x.amax([2, 3, 4], keepdim: true)),
        new("LpPool 2-D, p = 2", 11, [1, 2, 5, 4], "LpPool",
            [Ints("kernel_shape", 2, 2), Int("p", 2)], [], [],
            (x, w) => x.pow(2).unfold(2, 2, 1).unfold(3, 2, 1).sum([4, 5]).sqrt()),
        new("Pad reflect", 11, [2, 3, 4, 5], "Pad", [String("mode", "reflect")], [], [Int64Tensor("pads", [8], [0, 0, 2, 3, 0, 0, 1, 4])],
            (x, w) => nn.functional.pad(x, [3, 4, 2, 1], TorchSharp.PaddingModes.Reflect)),
        new("Pad edge", 11, [2, 3, 4, 5], "Pad", [String("mode", "edge")], [], [Int64Tensor("pads", [8], [0, 0, 2, 3, 0, 0, 1, 4])],
            (x, w) => nn.functional.pad(x, [3, 4, 2, 1], TorchSharp.PaddingModes.Replicate)),
        new("Pad wrap", 19, [2, 3, 4, 5], "Pad", [String("mode", "wrap")], [], [Int64Tensor("pads", [8], [0, 0, 2, 3, 0, 0, 1, 4])],
            (x, w) => nn.functional.pad(x, [3, 4, 2, 1], TorchSharp.PaddingModes.Circular)),
        new("DepthToSpace CRD", 13, [2, 8, 2, 3], "DepthToSpace", [Int("blocksize", 2), String("mode", "CRD")], [], [],
            (x, w) => nn.functional.pixel_shuffle(x, 2)),
        new("Tile", 13, [2, 3, 2], "Tile", [], [], [Int64Tensor("repeats", [3], [2, 1, 3])],
            (x, w) => TiledByConcatenation(x)),
        new("Resize nearest, asymmetric, x2", 13, [1, 2, 3, 4], "Resize", [String("coordinate_transformation_mode", "asymmetric"), String("nearest_mode", "floor")], [],
            [ModelBuilder.FloatTensor("roi", [0]), ModelBuilder.FloatTensor("scales", [4], 1, 1, 2, 2)],
            (x, w) => x.repeat_interleave(2, 2).repeat_interleave(2, 3)),
        new("Resize linear, align_corners", 13, [1, 2, 3, 3], "Resize", [String("mode", "linear"), String("coordinate_transformation_mode", "align_corners")], [],
            [ModelBuilder.FloatTensor("roi", [0]), ModelBuilder.FloatTensor("scales", [4], 1, 1, 1, 5f / 3)],
            // Width 3 to 5 with aligned corners: output j reads input j / 2, halfway between neighbours at odd j.
            (x, w) => stack([x[.., .., .., 0], (x[.., .., .., 0] + x[.., .., .., 1]) / 2, x[.., .., .., 1],
                (x[.., .., .., 1] + x[.., .., .., 2]) / 2, x[.., .., .., 2]], 3)),
    ];

    /// <summary>Tile with repeats [2, 1, 3], written as concatenations.</summary>
    private static Tensor TiledByConcatenation(Tensor x)
    {
        var twice = cat([x, x], 0);
        return cat([twice, twice, twice], 2);
    }

    public static IEnumerable<object[]> Cases() => All.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Local_vjps_equal_autograd_of_an_independent_torch_function(string name)
    {
        var c = All.Single(k => k.Name == name);
        using var scope = NewDisposeScope();
        var generator = manual_seed(17);
        var builder = new ModelBuilder(opset: c.Opset).Input("x", c.Input);
        var weights = c.Weights.Select(w => randn(w.Shape, ScalarType.Float32)).ToArray();
        for (int i = 0; i < weights.Length; i++)
            builder.Initializer(c.Weights[i].Name, c.Weights[i].Shape, weights[i].data<float>().ToArray());
        foreach (var t in c.Constants) builder.Initializer(t);
        FreeDataVertex.Add(builder, "x", c.Input, "h");
        builder.Op(c.OpType, ["h", .. c.Weights.Select(w => w.Name), .. c.Constants.Select(t => t.Name)], "y", c.Attributes);
        builder.Graph.Output.Add(new ValueInfoProto { Name = "y", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        var graph = PcGraphBuilder.Build(builder.Build(), name + ".onnx");

        using var model = new PcnModel(graph, Precision.Float64, CPU);
        var vertex = graph.Vertices.Single(v => v.Name == "y");
        var x = randn(c.Input, ScalarType.Float64);
        var tape = LocalTape.Record(model, vertex, _ => x);
        var error = randn(tape.Prediction.shape, ScalarType.Float64);
        var products = tape.Backward(error).ToDictionary(
            p => p.Operand switch { Operand.FromVertex => "x", Operand.FromParameter f => f.View.Root.Name, _ => "?" }, p => p.Product);

        var xLeaf = x.detach().requires_grad_(true);
        var weightLeaves = weights.Select(w => w.to(ScalarType.Float64).detach().requires_grad_(true)).ToArray();
        var reference = c.Reference(xLeaf, weightLeaves);
        Assert.Equal(reference.shape, tape.Prediction.shape);
        var expected = autograd.grad([reference], [xLeaf, .. weightLeaves], [error]);

        string[] names = ["x", .. c.Weights.Select(w => w.Name)];
        Assert.Equal(names.Order(), products.Keys.Order());
        for (int i = 0; i < names.Length; i++)
        {
            double scale = Math.Max(1, expected[i].abs().max().ToDouble());
            double deviation = (products[names[i]] - expected[i]).abs().max().ToDouble() / scale;
            output.WriteLine($"{name}: d/d{names[i]} relative deviation {deviation:E2}");
            Assert.True(deviation <= 1e-12, $"{name}: d/d{names[i]} deviates by {deviation:E2}");
        }
        double forward = (tape.Prediction.detach() - reference.detach()).abs().max().ToDouble();
        Assert.True(forward <= 1e-12, $"{name}: forward deviates by {forward:E2}");
    }
}
