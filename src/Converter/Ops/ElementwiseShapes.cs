using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>Broadcasting rules of the elementwise operators beyond the two-operand NumPy rule of <see cref="ShapeMath"/>.</summary>
public static class ElementwiseShapes
{
    /// <summary>Unidirectional broadcasting: whether <paramref name="source"/> stretches to <paramref name="target"/>, whose shape
    /// stays.</summary>
    public static bool BroadcastsTo(IReadOnlyList<long> source, IReadOnlyList<long> target)
    {
        if (source.Count > target.Count) return false;
        for (int i = 1; i <= source.Count; i++)
            if (source[^i] != target[^i] && source[^i] != 1) return false;
        return true;
    }

    /// <summary>Multidirectional broadcasting of any number of shapes (Sum, Mean, Max, Min from opset 8).</summary>
    public static long[] BroadcastAll(IReadOnlyList<long[]> shapes)
    {
        if (shapes.Count == 0) throw new ShapeException("at least one input is required");
        return shapes.Skip(1).Aggregate(shapes[0], (a, b) => ShapeMath.Broadcast(a, b));
    }

    /// <summary>Before opset 8 the variadic operators take inputs of one shape only.</summary>
    public static long[] SameShape(IReadOnlyList<long[]> shapes)
    {
        if (shapes.Count == 0) throw new ShapeException("at least one input is required");
        foreach (var s in shapes.Skip(1))
            if (!s.SequenceEqual(shapes[0]))
                throw new ShapeException($"before opset 8 all inputs must have the same shape, got {ShapeMath.Format(shapes[0])} and " +
                    $"{ShapeMath.Format(s)}");
        return shapes[0];
    }
}
