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
/// The local vector-Jacobian products the PCN takes through one reduction or normalization vertex (LocalTape:
/// Record, then Backward(error)) against torch autograd of the same function written independently here, in
/// float64, with respect to the data and to the trainable Scale and B.
/// </summary>
public sealed class NormalizationLocalVjpTests
{
    private const double Tolerance = 1e-12;

    public static IEnumerable<object[]> LayerNormCases() =>
    [
        [new long[] { 4, 6 }, -1L, new long[] { 6 }, true],
        [new long[] { 3, 4, 5 }, 1L, new long[] { 4, 5 }, true],
        [new long[] { 3, 4, 5 }, -2L, new long[] { 1, 5 }, false],
        [new long[] { 2, 3, 4, 2 }, 0L, new long[] { 2 }, true],
    ];

    [Theory]
    [MemberData(nameof(LayerNormCases))]
    public void LayerNormalization_matches_autograd(long[] shape, long axis, long[] scaleShape, bool withBias)
    {
        long first = axis < 0 ? axis + shape.Length : axis;
        long[] normalized = shape[(int)first..];
        var builder = Start(17, shape).Initializer(Weights("scale", scaleShape, 1));
        if (withBias) builder.Initializer(Weights("bias", normalized, 2));
        builder.Op("LayerNormalization", withBias ? ["h", "scale", "bias"] : ["h", "scale"], "y",
            Int("axis", axis), Float("epsilon", 1e-3f));
        Check(builder, shape, (x, p) =>
        {
            var weight = p["scale"].expand(normalized);
            var y = nn.functional.layer_norm(x, normalized, weight, withBias ? p["bias"] : null, eps: 1e-3f);
            return y;
        });
    }

    [Theory]
    [InlineData(new long[] { 2, 3, 5 })]
    [InlineData(new long[] { 2, 4, 3, 2 })]
    public void InstanceNormalization_matches_autograd(long[] shape)
    {
        var builder = Start(6, shape).Initializer(Weights("scale", [shape[1]], 3)).Initializer(Weights("bias", [shape[1]], 4))
            .Op("InstanceNormalization", ["h", "scale", "bias"], "y", Float("epsilon", 1e-2f));
        // Instance normalization is group normalization with one group per channel.
        Check(builder, shape, (x, p) => nn.functional.group_norm(x, shape[1], p["scale"], p["bias"], eps: 1e-2f));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(3L)]
    [InlineData(4L)]
    [InlineData(7L)]
    public void Lrn_matches_autograd(long size)
    {
        long[] shape = [2, 5, 3, 2];
        var builder = Start(13, shape)
            .Op("LRN", ["h"], "y", Int("size", size), Float("alpha", 0.5f), Float("beta", 0.6f), Float("bias", 2f));
        Check(builder, shape, (x, _) =>
        {
            // The window of channel c, clipped to the channels that exist, written out channel by channel.
            var channels = new List<Tensor>();
            for (long c = 0; c < shape[1]; c++)
            {
                long lo = Math.Max(0, c - (size - 1) / 2), hi = Math.Min(shape[1] - 1, c + size / 2);
                var squareSum = x.narrow(1, lo, hi - lo + 1).pow(2).sum([1], keepdim: true);
                channels.Add(x.narrow(1, c, 1) * (2.0 + 0.5 / size * squareSum).pow(-0.6f));
            }
            return cat(channels, 1);
        });
    }

    public static IEnumerable<object[]> ReduceCases()
    {
        foreach (string op in new[] { "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                     "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp" })
            foreach (long[] axes in new long[][] { [-1], [0, 2], [] })
                foreach (int keepDims in new[] { 0, 1 })
                    yield return [op, axes, keepDims];
    }

    [Theory]
    [MemberData(nameof(ReduceCases))]
    public void Reduction_matches_autograd(string op, long[] axes, int keepDims)
    {
        long[] shape = [3, 4, 2];
        var builder = Start(18, shape);
        if (axes.Length > 0) builder.Int64s("axes", axes);
        builder.Op(op, axes.Length > 0 ? ["h", "axes"] : ["h"], "y", Int("keepdims", keepDims));
        // ReduceLogSum needs positive sums; the others see sign-mixed data.
        Check(builder, shape, (x, _) => Reference(op, x, axes.Length > 0 ? axes : [0, 1, 2], keepDims == 1), positive: op == "ReduceLogSum");
    }

    /// <summary>Ties at the maximum share the error evenly (PyTorch's amax convention), ties at the minimum likewise.</summary>
    [Theory]
    [InlineData("ReduceMax", 1.0)]
    [InlineData("ReduceMin", -1.0)]
    public void Tied_extremes_share_the_error_evenly(string op, double extreme)
    {
        var builder = Start(18, [2, 4]).Int64s("axes", 1).Op(op, ["h", "axes"], "y", Int("keepdims", 0));
        var graph = PcGraphBuilder.Build(Finish(builder), "ties.onnx");
        using var scope = NewDisposeScope();
        using var model = new PcnModel(graph, Precision.Float64, CPU);
        var x = tensor(new[] { extreme, 0.5 * extreme, extreme, 0.0, 0.2, extreme, extreme, extreme }, float64).reshape(2, 4);
        var vertex = graph.Vertices.Single(v => v.Op.OpType == op);
        var tape = LocalTape.Record(model, vertex, _ => x);
        var product = tape.Backward(tensor(new[] { 6.0, 3.0 }, float64)).Single().Product;
        var expected = tensor(new[] { 3.0, 0, 3.0, 0, 0, 1.0, 1.0, 1.0 }, float64).reshape(2, 4);
        Assert.True(product.allclose(expected, 0, 1e-15), product.ToString(TorchSharp.TensorStringStyle.Numpy));
    }

    private static Tensor Reference(string op, Tensor x, long[] axes, bool keepDims)
    {
        long[] resolved = axes.Select(a => a < 0 ? a + x.dim() : a).Order().ToArray();
        // All reduced axes moved to the back and flattened into one, so each reduction runs over a single axis.
        long[] kept = Enumerable.Range(0, (int)x.dim()).Select(a => (long)a).Except(resolved).ToArray();
        long[] keptSizes = kept.Select(a => x.shape[a]).ToArray();
        var flat = x.permute([.. kept, .. resolved]).reshape([.. keptSizes, -1]);
        Tensor r = op switch
        {
            "ReduceSum" => flat.sum(-1),
            "ReduceMean" => flat.sum(-1) / flat.shape[^1],
            "ReduceMax" => flat.max(-1).values,
            "ReduceMin" => flat.min(-1).values,
            "ReduceProd" => flat.prod(-1),
            "ReduceL1" => flat.abs().sum(-1),
            "ReduceL2" => flat.pow(2).sum(-1).sqrt(),
            "ReduceSumSquare" => flat.pow(2).sum(-1),
            "ReduceLogSum" => flat.sum(-1).log(),
            _ => flat.exp().sum(-1).log(),
        };
        if (!keepDims) return r;
        long[] keptShape = x.shape.Select((d, a) => resolved.Contains(a) ? 1 : d).ToArray();
        return r.reshape(keptShape);
    }

    /// <summary>x -> h = x * 1, so that the vertex under test reads a free vertex (data alone is clamped).</summary>
    private static ModelBuilder Start(int opset, long[] shape) =>
        FreeDataVertex.Add(new ModelBuilder(opset: opset).Input("x", shape), "x", shape, "h");

    private static ModelProto Finish(ModelBuilder builder)
    {
        var model = builder.Build();
        var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
        model.Graph.Output.Add(new ValueInfoProto { Name = "y", Type = new TypeProto { TensorType = type } });
        return model;
    }

    /// <summary>Records the vertex that computes y, runs its local backward with a fixed error, and compares with autograd of <paramref name="reference"/>.</summary>
    private static void Check(ModelBuilder builder, long[] shape, Func<Tensor, IReadOnlyDictionary<string, Tensor>, Tensor> reference, bool positive = false)
    {
        var graph = PcGraphBuilder.Build(Finish(builder), "vjp.onnx");
        using var scope = NewDisposeScope();
        using var model = new PcnModel(graph, Precision.Float64, CPU);
        var vertex = graph.Vertices.Single(v => v.Name == "y");
        long count = shape.Aggregate(1L, (p, d) => p * d);
        var x = tensor(Enumerable.Range(0, (int)count).Select(i => positive ? 0.5 + (i * 7 % 11) / 10.0 : Math.Sin(1.7 * i + 0.3) * 1.5).ToArray(), float64).reshape(shape);
        var tape = LocalTape.Record(model, vertex, _ => x);
        long outCount = vertex.Shape.Aggregate(1L, (p, d) => p * d);
        var error = tensor(Enumerable.Range(0, (int)outCount).Select(i => Math.Cos(0.9 * i + 0.1)).ToArray(), float64).reshape(vertex.Shape);
        var products = tape.Backward(error).ToList();

        var leaves = new Dictionary<string, Tensor> { ["x"] = x.detach().clone().requires_grad_(true) };
        var parameters = graph.Parameters.Where(p => !FreeDataVertex.IsGain(p.Name)).ToList();
        foreach (var p in parameters) leaves[p.Name] = model.Parameters[p.Name].detach().clone().requires_grad_(true);
        var y = reference(leaves["x"], leaves);
        Assert.Equal(vertex.Shape, y.shape);
        using (no_grad()) Assert.True(model.Predict(vertex, [x, .. vertex.Operands.Skip(1).Select(o => o is Operand.FromParameter pr ? model.Parameters[pr.View.Root.Name] : model.StaticValue(o))])
            .allclose(y, 0, Tolerance), "forward values differ");
        var names = leaves.Keys.ToList();
        var expected = autograd.grad([y], names.Select(n => leaves[n]).ToList(), [error]);

        Assert.Equal(1 + parameters.Count, products.Count);
        foreach (var (operand, product) in products)
        {
            string name = operand is Operand.FromParameter p ? p.View.Root.Name : "x";
            var want = expected[names.IndexOf(name)];
            double worst = (product - want).abs().max().ToDouble();
            Assert.True(worst <= Tolerance * Math.Max(1, want.abs().max().ToDouble()), $"{name}: local VJP differs from autograd by {worst:E3}");
        }
    }

    private static TensorProto Weights(string name, long[] shape, int seed)
    {
        long count = shape.Aggregate(1L, (p, d) => p * d);
        return ModelBuilder.FloatTensor(name, shape, Enumerable.Range(0, (int)count).Select(i => (float)(1 + 0.5 * Math.Sin(seed * 10 + i))).ToArray());
    }

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
}
