using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>Reads the per-axis window attributes Conv and the pooling operators share, with the spec's defaults (all 1).</summary>
internal static class WindowAttributes
{
    /// <summary>The spatial ranks the trainer's kernels compute (torch has 1-, 2- and 3-D windows).</summary>
    public const int MinSpatialRank = 1, MaxSpatialRank = 3;

    public static long[] PerAxis(NodeContext node, string name, int spatialRank)
    {
        long[]? values = node.Attributes.Ints(name);
        if (values == null) return Enumerable.Repeat(1L, spatialRank).ToArray();
        if (values.Length != spatialRank)
            throw node.Fail($"'{name}' has {values.Length} values, expected {spatialRank}");
        if (values.Any(v => v < 1)) throw node.Fail($"'{name}' values must be positive");
        return values;
    }

    /// <summary>
    /// The number of spatial axes of a windowed operator: from kernel_shape when given, else from the weight (W's rank
    /// minus 2) or the data input (X's rank minus 2). Ranks torch has no window functions for are refused here.
    /// </summary>
    public static int SpatialRank(NodeContext node, long[]? kernelShape, int shapeSourceInput)
    {
        int rank = kernelShape?.Length
            ?? (node.InputShape(shapeSourceInput) is { } s ? s.Length - 2
                : throw node.Fail($"the spatial rank cannot be told: no 'kernel_shape' and input {shapeSourceInput} has no shape"));
        if (rank < MinSpatialRank || rank > MaxSpatialRank)
            throw node.Fail($"{rank}-D windows are not supported (only 1-D, 2-D and 3-D)");
        return rank;
    }

    /// <summary>Checks an input against the spatial rank a spec was mapped for: [N, C, spatial...].</summary>
    public static void CheckRank(string opType, string name, long[] shape, int spatialRank)
    {
        if (shape.Length != spatialRank + 2)
            throw new ShapeException($"{opType} was mapped for {spatialRank}-D windows, so {name} must have rank {spatialRank + 2}, got " +
                $"{ShapeMath.Format(shape)}");
    }
}
