using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

public enum Variadic { Sum, Mean, Max, Min }

/// <summary>
/// The elementwise sum, mean, maximum or minimum of one or more inputs. <see cref="Broadcasting"/>: NumPy
/// broadcasting across all inputs (opset 8 on); without it every input has the same shape.
/// </summary>
public sealed record VariadicSpec(Variadic Kind, bool Broadcasting) : OpSpec
{
    public override string OpType => Kind.ToString();

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        var shapes = inputs.Select((s, i) => s ?? throw new ShapeException($"input {i} is required")).ToList();
        return Broadcasting ? ElementwiseShapes.BroadcastAll(shapes) : ElementwiseShapes.SameShape(shapes);
    }
}

/// <summary>Sum, Mean, Max and Min: data vertices, or evaluated at conversion time on constants (Max/Min clamp shapes).</summary>
public sealed class VariadicMapping(Variadic kind, params int[] sinceVersions) : IOperatorMapping, IStaticEvaluation, IOperatorFamily
{
    public static IEnumerable<IOperatorMapping> Members =>
    [
        new VariadicMapping(Variadic.Sum, 1, 6, 8, 13),
        new VariadicMapping(Variadic.Mean, 1, 6, 8, 13),
        new VariadicMapping(Variadic.Max, 1, 6, 8, 12, 13),
        new VariadicMapping(Variadic.Min, 1, 6, 8, 12, 13),
    ];

    public string OpType => kind.ToString();
    public IReadOnlyList<int> SinceVersions { get; } = sinceVersions;

    public OpSpec Map(NodeContext node)
    {
        node.Attributes.RejectUnknown();
        if (node.Operands.Count == 0) throw node.Fail("at least one input is required");
        return new VariadicSpec(kind, node.SinceVersion >= 8);
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (VariadicSpec)Map(node);
        var tensors = inputs.Select((t, i) => t ?? throw node.Fail($"input {i} is required")).ToList();
        var type = tensors[0].ElementType;
        if (tensors.Any(t => t.ElementType != type)) throw node.Fail("the inputs have different element types");
        long[] shape;
        try { shape = spec.InferShape(tensors.Select(t => t.Shape).ToList()); }
        catch (ShapeException e) { throw node.Fail(e.Message); }
        var operands = tensors.Select(t => TensorIndexing.BroadcastTo(t, shape).Values).ToList();
        var values = HostTensor.NewComputedValues(shape);
        for (int i = 0; i < values.Length; i++)
        {
            double v = operands[0][i];
            for (int k = 1; k < operands.Count; k++)
                v = kind switch
                {
                    Variadic.Max => Math.Max(v, operands[k][i]),
                    Variadic.Min => Math.Min(v, operands[k][i]),
                    _ => v + operands[k][i],
                };
            // Integer Mean divides like the integer Div of the same element type: truncating toward zero.
            if (kind == Variadic.Mean) v = ElementCast.IsFloatingPoint(type) ? v / operands.Count : Math.Truncate(v / operands.Count);
            values[i] = ElementCast.Convert(v, type);
        }
        return new HostTensor(type, shape, values);
    }
}
