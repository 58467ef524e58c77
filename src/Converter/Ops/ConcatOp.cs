using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>Concat along <see cref="Axis"/> of any number of inputs whose other dimensions agree.</summary>
public sealed record ConcatSpec(long Axis) : OpSpec
{
    public override string OpType => "Concat";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        var present = inputs.Where(s => s != null).Select(s => s!).ToList();
        if (present.Count == 0) throw new ShapeException("Concat needs at least one input");
        long[] first = present[0];
        int axis = ResolvedAxis(first.Length);
        foreach (long[] s in present)
            if (s.Length != first.Length || s.Where((d, k) => k != axis && d != first[k]).Any())
                throw new ShapeException($"Concat on axis {Axis}: input shapes {string.Join(", ", present.Select(ShapeMath.Format))} " +
                    $"differ off that axis");
        long[] output = (long[])first.Clone();
        output[axis] = present.Sum(s => s[axis]);
        return output;
    }

    public int ResolvedAxis(int rank) => ShapeMath.Axis(Axis, rank, "Concat axis");
}

public sealed class ConcatMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Concat";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 4, 11, 13];

    public OpSpec Map(NodeContext node)
    {
        // Concat-1 defaults to axis 1; from opset 4 the axis is required.
        long axis;
        if (node.SinceVersion >= 4)
            axis = node.Attributes.Has("axis") ? node.Attributes.Int("axis", 0) : throw node.Fail("attribute 'axis' is required");
        else axis = node.Attributes.Int("axis", 1);
        if (axis < 0 && node.SinceVersion < 11) throw node.Fail("negative 'axis' needs opset 11");
        node.Attributes.RejectUnknown();
        return new ConcatSpec(axis);
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (ConcatSpec)Map(node);
        var parts = inputs.Where(t => t != null).Select(t => t!).ToList();
        try
        {
            spec.InferShape(parts.Select(p => (long[]?)p.Shape).ToList());
            if (parts.Select(p => p.ElementType).Distinct().Count() > 1)
                throw node.Fail($"inputs have different element types ({string.Join(", ", parts.Select(p => p.ElementType))})");
            return TensorIndexing.Concat(parts, spec.ResolvedAxis(parts[0].Rank));
        }
        catch (ShapeException e) { throw node.Fail(e.Message); }
    }
}
