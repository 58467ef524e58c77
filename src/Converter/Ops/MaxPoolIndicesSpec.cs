using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// MaxPool's Indices output: for each window, the position of its maximum in the input flattened over
/// [N, C, spatial...] without padding, in row-major order, or with the spatial axes in column-major order when
/// <see cref="ColumnMajor"/> (storage_order = 1). Integer positions: no error flows through them.
/// </summary>
public sealed record MaxPoolIndicesSpec(PoolSpec Pool, bool ColumnMajor) : OpSpec
{
    public override string OpType => "MaxPool indices";
    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Pool.InferShape(inputs);
}
