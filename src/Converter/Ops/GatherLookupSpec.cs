using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Gather along <see cref="Axis"/> with indices read from data (an embedding lookup of token ids): the indices
/// are only known per batch, so their range is checked by the kernel, not here. The axis is replaced by the
/// indices' shape; the data, typically the embedding table, is differentiable, the indices are not.
/// </summary>
public sealed record GatherLookupSpec(long Axis) : OpSpec
{
    public override string OpType => "Gather";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] data = Input(inputs, 0, "data");
        long[] indices = Input(inputs, 1, "indices");
        int axis = ResolvedAxis(data.Length);
        return [.. data[..axis], .. indices, .. data[(axis + 1)..]];
    }

    public int ResolvedAxis(int rank) => ShapeMath.Axis(Axis, rank, "Gather axis");
}
