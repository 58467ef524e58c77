using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Gather along <see cref="Axis"/> with indices known at conversion time: the axis is replaced by the indices'
/// shape (a scalar index drops it). Negative indices and a negative axis count from the back.
/// </summary>
public sealed record GatherSpec(long Axis, long[] Indices, long[] IndicesShape) : OpSpec
{
    public override string OpType => "Gather";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] data = Input(inputs, 0, "data");
        int axis = ResolvedAxis(data.Length);
        ResolvedIndices(data[axis]);
        return [.. data[..axis], .. IndicesShape, .. data[(axis + 1)..]];
    }

    public int ResolvedAxis(int rank) => ShapeMath.Axis(Axis, rank, "Gather axis");

    /// <summary>The indices in [0, size): negative ones counted from the back; any outside [-size, size) rejected.</summary>
    public long[] ResolvedIndices(long size) => Indices.Select(i =>
        i >= -size && i < size ? (i < 0 ? i + size : i)
            : throw new ShapeException($"Gather index {i} is out of range for an axis of size {size}")).ToArray();
}

public sealed class GatherMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Gather";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 11, 13];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        long axis = node.Attributes.Int("axis", 0);
        node.Attributes.RejectUnknown();
        if (node.HasInput(1) && node.Operands[1] is Operand.FromVertex { Source: var ids })
            return LookupSpec(node, axis, ids);
        if (node.HasInput(1) && node.Operands[1] is not Operand.FromConstant)
            throw node.Fail("input 'indices' must be a constant or an integer graph input");
        HostTensor indices = node.StaticInput(1) ?? throw node.Fail("input 'indices' is required");
        if (indices.IsFloatingPoint) throw node.Fail($"input 'indices' must be int32 or int64, got {indices.ElementType}");
        return new GatherSpec(axis, indices.ToInt64Array(), indices.Shape);
    }

    /// <summary>
    /// Indices from data: an embedding lookup. They must come straight from an integer graph input: that vertex
    /// is clamped, so nothing asks for an error on it, while a computed vertex would be a float prediction.
    /// </summary>
    private static GatherLookupSpec LookupSpec(NodeContext node, long axis, Vertex ids)
    {
        if (ids.Op is not DataInputSpec input)
            throw node.Fail($"input 'indices' is computed by '{ids.NodeName}'; data-dependent indices must come straight from an " +
                $"integer graph input (token ids)");
        if (!input.IsInteger)
            throw node.Fail($"input 'indices' reads graph input '{input.InputName}' of type {input.ElementType}; indices must be int32 " +
                $"or int64");
        var spec = new GatherLookupSpec(axis);
        try { spec.InferShape([node.InputShape(0), node.InputShape(1)]); }
        catch (ShapeException e) { throw node.Fail(e.Message); }
        return spec;
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (GatherSpec)Map(node);
        var data = inputs[0] ?? throw node.Fail("input 'data' is required");
        try
        {
            int axis = spec.ResolvedAxis(data.Rank);
            return TensorIndexing.Take(data, axis, spec.ResolvedIndices(data.Shape[axis]), spec.IndicesShape);
        }
        catch (ShapeException e) { throw node.Fail(e.Message); }
    }
}
