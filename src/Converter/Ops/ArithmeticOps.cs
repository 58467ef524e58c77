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
                if (problem != null) throw node.Fail($"legacy broadcast of {ShapeMath.Format(a.Shape)} and {ShapeMath.Format(inputs[1]!.Shape)}: {problem}");
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
/// Sub, Mul and Div: evaluated at conversion time when both operands are constant. A data-dependent or trainable
/// operand is refused for now (Add, the one that joins data, has its own differentiable mapping).
/// </summary>
public sealed class StaticArithmeticMapping(Arithmetic op) : IOperatorMapping, IStaticEvaluation
{
    public string OpType => op.ToString();
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 7, 13, 14];

    // Both operands must be known at conversion time, so float initializers stay constants here.
    public InputRole RoleOf(int inputIndex, int sinceVersion) => InputRole.Static;

    public OpSpec Map(NodeContext node) =>
        throw node.Fail($"an operand depends on the data or is trainable; only constant inputs are supported for now");

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var legacy = node.SinceVersion < 7 ? LegacyBroadcast.Read(node, hasAxis: true) : null;
        node.Attributes.RejectUnknown();
        return StaticArithmetic.Evaluate(node, inputs, op, legacy);
    }
}
