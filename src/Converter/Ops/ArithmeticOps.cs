using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

public enum Arithmetic { Add, Sub, Mul, Div }

/// <summary>
/// Elementwise arithmetic on constants, as exporters emit it on shapes (a sequence length times a batch size,
/// a dimension minus one). The result has the operands' element type: integer division truncates toward zero
/// and float results round to the element type's precision.
/// </summary>
public static class StaticArithmetic
{
    public static HostTensor Evaluate(NodeContext node, IReadOnlyList<HostTensor?> inputs, Arithmetic op, LegacyBroadcast? legacy)
    {
        HostTensor a = inputs.Count > 0 && inputs[0] is { } x ? x : throw node.Fail("input 'A' is required");
        HostTensor b = inputs.Count > 1 && inputs[1] is { } y ? y : throw node.Fail("input 'B' is required");
        if (a.ElementType != b.ElementType) throw node.Fail($"operands have different element types ({a.ElementType}, {b.ElementType})");
        long[] shape;
        try
        {
            if (legacy != null)
            {
                b = b.WithShape(legacy.AlignedShape(a.Shape, b.Shape, out string? problem));
                if (problem != null) throw node.Fail($"legacy broadcast of {ShapeMath.Format(a.Shape)} and " +
                    $"{ShapeMath.Format(inputs[1]!.Shape)}: {problem}");
            }
            shape = ShapeMath.Broadcast(a.Shape, b.Shape);
        }
        catch (ShapeException e) { throw node.Fail(e.Message); }

        double[] left = TensorIndexing.BroadcastTo(a, shape).Values, right = TensorIndexing.BroadcastTo(b, shape).Values;
        bool integer = !a.IsFloatingPoint;
        var values = new double[left.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double l = left[i], r = right[i];
            if (integer && op == Arithmetic.Div && r == 0) throw node.Fail("integer division by zero");
            double v = op switch
            {
                Arithmetic.Add => l + r,
                Arithmetic.Sub => l - r,
                Arithmetic.Mul => l * r,
                _ => integer ? Math.Truncate(l / r) : l / r,
            };
            values[i] = ElementCast.Convert(v, a.ElementType);
        }
        return new HostTensor(a.ElementType, shape, values);
    }
}

/// <summary>
/// A - B, A * B or A / B on data or parameters; from opset 7 with NumPy broadcasting, before that with the
/// <see cref="LegacyBroadcast"/> rule of the node's `broadcast` and `axis` attributes.
/// </summary>
public sealed record ArithmeticSpec(Arithmetic Op, LegacyBroadcast? Legacy) : OpSpec
{
    public override string OpType => Op.ToString();

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] a = Input(inputs, 0, "A"), b = Input(inputs, 1, "B");
        if (Legacy == null) return ShapeMath.Broadcast(a, b);
        Legacy.AlignedShape(a, b, out string? problem);
        return problem == null ? a
            : throw new ShapeException($"legacy broadcast of {ShapeMath.Format(a)} and {ShapeMath.Format(b)}: {problem}");
    }
}

/// <summary>
/// Sub, Mul and Div: evaluated at conversion time when both operands are constant (shape arithmetic), a
/// differentiable vertex otherwise. A float initializer operand is a trainable parameter (a learned scale).
/// </summary>
public sealed class ArithmeticMapping(Arithmetic op) : IOperatorMapping, IStaticEvaluation, IOperatorFamily
{
    // Add has a mapping of its own (AddMapping), for the legacy broadcast of opsets before 7 and its own kernel.
    public static IEnumerable<IOperatorMapping> Members =>
        new[] { Arithmetic.Sub, Arithmetic.Mul, Arithmetic.Div }.Select(a => new ArithmeticMapping(a));

    public string OpType => op.ToString();
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 7, 13, 14];

    public OpSpec Map(NodeContext node)
    {
        var spec = new ArithmeticSpec(op, node.SinceVersion < 7 ? LegacyBroadcast.Read(node, hasAxis: true) : null);
        node.Attributes.RejectUnknown();
        return spec;
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs) =>
        StaticArithmetic.Evaluate(node, inputs, op, ((ArithmeticSpec)Map(node)).Legacy);
}
