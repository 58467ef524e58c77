namespace ZilOnnx.Converter.Graph;

/// <summary>Shape rules shared by several operators.</summary>
public static class ShapeMath
{
    public static string Format(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Multidirectional (NumPy) broadcasting.</summary>
    public static long[] Broadcast(IReadOnlyList<long> a, IReadOnlyList<long> b)
    {
        int rank = Math.Max(a.Count, b.Count);
        var result = new long[rank];
        for (int i = 1; i <= rank; i++)
        {
            long x = i <= a.Count ? a[^i] : 1, y = i <= b.Count ? b[^i] : 1;
            if (x != y && x != 1 && y != 1) throw new ShapeException($"shapes {Format(a)} and {Format(b)} do not broadcast");
            result[^i] = x == 1 ? y : x;
        }
        return result;
    }

    /// <summary>NumPy matmul: 1-D operands are promoted and the promoted axis dropped again; batch axes broadcast.</summary>
    public static long[] MatMul(IReadOnlyList<long> a, IReadOnlyList<long> b)
    {
        if (a.Count == 0 || b.Count == 0) throw new ShapeException("MatMul operands must have rank >= 1");
        long[] left = a.Count == 1 ? [1, a[0]] : [.. a];
        long[] right = b.Count == 1 ? [b[0], 1] : [.. b];
        if (left[^1] != right[^2]) throw new ShapeException($"MatMul: {Format(a)} and {Format(b)} do not multiply");
        var batch = Broadcast(left[..^2], right[..^2]);
        var result = new List<long>(batch);
        if (a.Count > 1) result.Add(left[^2]);
        if (b.Count > 1) result.Add(right[^1]);
        return [.. result];
    }

    public static long Product(IEnumerable<long> dims) => dims.Aggregate(1L, (p, d) => checked(p * d));

    /// <summary>An axis that may count from the back, checked against the rank.</summary>
    public static int Axis(long axis, int rank, string what = "axis")
    {
        long resolved = axis < 0 ? axis + rank : axis;
        if (resolved < 0 || resolved >= rank) throw new ShapeException($"{what} {axis} is out of range for rank {rank}");
        return (int)resolved;
    }
}
