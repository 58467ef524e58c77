using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>Z = X ^ Y with a constant exponent Y; from opset 7 with NumPy broadcasting, before that with the legacy rule.</summary>
public sealed record PowSpec(LegacyBroadcast? Legacy) : OpSpec
{
    public override string OpType => "Pow";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "X"), y = Input(inputs, 1, "Y");
        if (Legacy == null) return ShapeMath.Broadcast(x, y);
        Legacy.AlignedShape(x, y, out string? problem);
        return problem == null ? x
            : throw new ShapeException($"legacy broadcast of {ShapeMath.Format(x)} and {ShapeMath.Format(y)}: {problem}");
    }
}

/// <summary>
/// Pow: the base may be data; the exponent must be known at conversion time (an initializer stays a constant
/// there, never a trainable parameter). Its element type may differ from the base's (Pow-12); the result has the
/// base's type.
/// </summary>
public sealed class PowMapping : IOperatorMapping, IStaticEvaluation
{
    public string OpType => "Pow";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 7, 12, 13, 15];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        var spec = new PowSpec(node.SinceVersion < 7 ? LegacyBroadcast.Read(node, hasAxis: true) : null);
        node.Attributes.RejectUnknown();
        if (node.HasInput(1) && node.Operands[1] is not Operand.FromConstant)
            throw node.Fail("the exponent Y must be a constant; a data-dependent or trainable exponent is not supported");
        return spec;
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (PowSpec)Map(node);
        HostTensor x = inputs.Count > 0 && inputs[0] is { } a ? a : throw node.Fail("input 'X' is required");
        HostTensor y = inputs.Count > 1 && inputs[1] is { } b ? b : throw node.Fail("input 'Y' is required");
        long[] shape;
        try
        {
            if (spec.Legacy != null)
            {
                y = y.WithShape(spec.Legacy.AlignedShape(x.Shape, y.Shape, out string? problem));
                if (problem != null) throw new ShapeException(problem);
            }
            shape = ShapeMath.Broadcast(x.Shape, y.Shape);
        }
        catch (ShapeException e) { throw node.Fail(e.Message); }
        double[] bases = TensorIndexing.BroadcastTo(x, shape).Values, exponents = TensorIndexing.BroadcastTo(y, shape).Values;
        var values = bases.Select((v, i) => ElementCast.Convert(Math.Pow(v, exponents[i]), x.ElementType)).ToArray();
        return new HostTensor(x.ElementType, shape, values);
    }
}
