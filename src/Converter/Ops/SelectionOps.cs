using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Equal and Where on constants, as exporters emit them to build shapes (PyTorch's `expand` writes
/// Where(Equal(shape, -1), 1, shape)). Evaluated at conversion time; a data-dependent operand is refused for now.
/// </summary>
public sealed class EqualMapping : IOperatorMapping, IStaticEvaluation
{
    public string OpType => "Equal";
    public bool MapsData => false;
    public IReadOnlyList<int> SinceVersions { get; } = [1, 7, 11, 13, 19];
    public InputRole RoleOf(int inputIndex, int sinceVersion) => InputRole.Static;

    public OpSpec Map(NodeContext node) =>
        throw node.Fail("an operand depends on the data or is trainable; only constant inputs are supported for now");

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        node.Attributes.RejectUnknown();
        var (a, b, shape) = Broadcast(node, inputs[0], inputs[1]);
        return new HostTensor(TensorProto.Types.DataType.Bool, shape, a.Zip(b, (x, y) => x == y ? 1.0 : 0.0).ToArray());
    }

    internal static (double[] A, double[] B, long[] Shape) Broadcast(NodeContext node, HostTensor? a, HostTensor? b)
    {
        if (a is null || b is null) throw node.Fail("two inputs are required");
        try
        {
            long[] shape = ShapeMath.Broadcast(a.Shape, b.Shape);
            return (TensorIndexing.BroadcastTo(a, shape).Values, TensorIndexing.BroadcastTo(b, shape).Values, shape);
        }
        catch (ShapeException e) { throw node.Fail(e.Message); }
    }
}

public sealed class WhereMapping : IOperatorMapping, IStaticEvaluation
{
    public string OpType => "Where";
    public bool MapsData => false;
    public IReadOnlyList<int> SinceVersions { get; } = [9, 16];
    public InputRole RoleOf(int inputIndex, int sinceVersion) => InputRole.Static;

    public OpSpec Map(NodeContext node) =>
        throw node.Fail("an operand depends on the data or is trainable; only constant inputs are supported for now");

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        node.Attributes.RejectUnknown();
        if (inputs.Count < 3 || inputs.Any(i => i is null)) throw node.Fail("condition, X and Y are required");
        HostTensor condition = inputs[0]!, x = inputs[1]!, y = inputs[2]!;
        if (x.ElementType != y.ElementType) throw node.Fail($"X and Y have different element types ({x.ElementType}, {y.ElementType})");
        long[] shape;
        try { shape = ShapeMath.Broadcast(ShapeMath.Broadcast(condition.Shape, x.Shape), y.Shape); }
        catch (ShapeException e) { throw node.Fail(e.Message); }
        double[] c = TensorIndexing.BroadcastTo(condition, shape).Values, xs = TensorIndexing.BroadcastTo(x, shape).Values,
            ys = TensorIndexing.BroadcastTo(y, shape).Values;
        return new HostTensor(x.ElementType, shape, c.Select((v, i) => v != 0 ? xs[i] : ys[i]).ToArray());
    }
}
