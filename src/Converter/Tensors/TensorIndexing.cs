namespace ZilOnnx.Converter.Tensors;

/// <summary>
/// A regular window into a tensor: along every axis, <see cref="Shape"/>[k] elements starting at
/// <see cref="Start"/>[k], <see cref="Step"/>[k] apart (the step may be negative). Slice and Split are windows.
/// </summary>
public sealed record StridedWindow(long[] Start, long[] Step, long[] Shape);

/// <summary>
/// Index arithmetic over row-major <see cref="HostTensor"/>s, for evaluating layout operators (Transpose,
/// Slice, Gather, Concat, Expand) at conversion time. Every result keeps the source's element type.
/// </summary>
public static class TensorIndexing
{
    /// <summary>Row-major strides: how far apart, in elements, neighbours along each axis are.</summary>
    public static long[] Strides(IReadOnlyList<long> shape)
    {
        var strides = new long[shape.Count];
        long stride = 1;
        for (int k = shape.Count - 1; k >= 0; k--) { strides[k] = stride; stride *= shape[k]; }
        return strides;
    }

    /// <summary>
    /// Fills a tensor of <paramref name="shape"/> by asking, for every output position in row-major order, which
    /// source element it holds. The callback gets the output's multi-index (reused between calls).
    /// </summary>
    public static double[] Gather(long[] shape, double[] source, Func<long[], long> sourceOffset)
    {
        var values = HostTensor.NewComputedValues(shape);
        if (values.Length == 0) return values;
        var index = new long[shape.Length];
        for (long i = 0; i < values.Length; i++)
        {
            values[i] = source[sourceOffset(index)];
            // Advance the multi-index like an odometer, the last axis fastest.
            for (int k = shape.Length - 1; k >= 0 && ++index[k] == shape[k]; k--) index[k] = 0;
        }
        return values;
    }

    /// <summary>Output axis k is input axis perm[k].</summary>
    public static HostTensor Transpose(HostTensor t, IReadOnlyList<int> perm)
    {
        long[] strides = Strides(t.Shape);
        long[] shape = perm.Select(p => t.Shape[p]).ToArray();
        return new HostTensor(t.ElementType, shape, Gather(shape, t.Values, index =>
        {
            long offset = 0;
            for (int k = 0; k < index.Length; k++) offset += index[k] * strides[perm[k]];
            return offset;
        }));
    }

    public static HostTensor Window(HostTensor t, StridedWindow window)
    {
        long[] strides = Strides(t.Shape);
        return new HostTensor(t.ElementType, window.Shape, Gather(window.Shape, t.Values, index =>
        {
            long offset = 0;
            for (int k = 0; k < index.Length; k++) offset += (window.Start[k] + index[k] * window.Step[k]) * strides[k];
            return offset;
        }));
    }

    /// <summary>
    /// Picks entries along <paramref name="axis"/> by <paramref name="indices"/> (already in range, non-negative);
    /// the axis is replaced by the indices' shape.
    /// </summary>
    public static HostTensor Take(HostTensor t, int axis, long[] indices, long[] indicesShape)
    {
        long[] strides = Strides(t.Shape);
        int indexRank = indicesShape.Length;
        long[] indexStrides = Strides(indicesShape);
        long[] shape = [.. t.Shape[..axis], .. indicesShape, .. t.Shape[(axis + 1)..]];
        return new HostTensor(t.ElementType, shape, Gather(shape, t.Values, index =>
        {
            long offset = 0;
            for (int k = 0; k < axis; k++) offset += index[k] * strides[k];
            long which = 0;
            for (int k = 0; k < indexRank; k++) which += index[axis + k] * indexStrides[k];
            offset += indices[which] * strides[axis];
            for (int k = axis + 1; k < t.Rank; k++) offset += index[k + indexRank - 1] * strides[k];
            return offset;
        }));
    }

    /// <summary>Joins tensors along <paramref name="axis"/>; the other dimensions must agree (checked by the caller).</summary>
    public static HostTensor Concat(IReadOnlyList<HostTensor> parts, int axis)
    {
        long[] shape = (long[])parts[0].Shape.Clone();
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        // Row-major: the result is, for each outer position, the parts' inner blocks one after another.
        long outer = parts[0].Shape[..axis].Aggregate(1L, (p, d) => p * d);
        var values = HostTensor.NewComputedValues(shape);
        long written = 0;
        for (long o = 0; o < outer; o++)
            foreach (var part in parts)
            {
                long block = part.Count / Math.Max(outer, 1);
                Array.Copy(part.Values, o * block, values, written, block);
                written += block;
            }
        return new HostTensor(parts[0].ElementType, shape, values);
    }

    /// <summary>NumPy broadcasting of <paramref name="t"/> to <paramref name="shape"/> (checked by the caller).</summary>
    public static HostTensor BroadcastTo(HostTensor t, long[] shape)
    {
        long[] strides = Strides(t.Shape);
        int lead = shape.Length - t.Rank;
        return new HostTensor(t.ElementType, shape, Gather(shape, t.Values, index =>
        {
            long offset = 0;
            for (int k = 0; k < t.Rank; k++)
                if (t.Shape[k] != 1) offset += index[lead + k] * strides[k];
            return offset;
        }));
    }
}
