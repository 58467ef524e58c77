using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>y = min(max(x, Min), Max); a null bound is absent. When Min &gt; Max every element becomes Max (as the spec says).</summary>
public sealed record ClipSpec(double? Min, double? Max) : OpSpec
{
    public override string OpType => "Clip";
    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Input(inputs, 0, "input");
}

/// <summary>
/// Clip: before opset 11 the bounds are the `min` and `max` attributes; from 11 on they are optional scalar inputs,
/// which must be constants (a trainable or data-dependent bound is refused). An absent bound clips nothing; for
/// Clip-6 that stands for the spec's default of the float range's ends, which differs only for infinite inputs.
/// </summary>
public sealed class ClipMapping : IOperatorMapping, IStaticEvaluation
{
    public string OpType => "Clip";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 11, 12, 13];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        ClipSpec spec;
        if (node.SinceVersion < 11)
        {
            var a = node.Attributes;
            spec = new ClipSpec(a.Has("min") ? a.Float("min", 0) : null, a.Has("max") ? a.Float("max", 0) : null);
        }
        else spec = new ClipSpec(Bound(node, 1, "min"), Bound(node, 2, "max"));
        node.Attributes.RejectUnknown();
        return spec;
    }

    private static double? Bound(NodeContext node, int index, string name)
    {
        if (node.StaticInput(index) is not { } value) return null;
        return value.Count == 1 ? value.Values[0]
            : throw node.Fail($"'{name}' must be a scalar, got shape {ShapeMath.Format(value.Shape)}");
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (ClipSpec)Map(node);
        HostTensor x = inputs.Count > 0 && inputs[0] is { } t ? t : throw node.Fail("input 'input' is required");
        var values = x.Values.Select(v =>
        {
            if (spec.Min is { } lo && v < lo) v = lo;
            if (spec.Max is { } hi && v > hi) v = hi;
            return v;
        }).ToArray();
        return new HostTensor(x.ElementType, x.Shape, values);
    }
}
