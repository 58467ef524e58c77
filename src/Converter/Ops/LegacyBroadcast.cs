namespace ZilOnnx.Converter.Ops;

/// <summary>
/// The broadcast rule of the arithmetic operators before opset 7 (Add-6, Gemm-6's C). Without
/// <see cref="Enabled"/> both operands must have the same shape. With it, only the second operand
/// broadcasts: its dimensions line up with the first's starting at <see cref="Axis"/>, or with the first's
/// trailing dimensions when no axis is given (shape(A) = (2, 3, 4, 5) takes B of (), (5), (4, 5), or (3, 4)
/// with axis = 1). The result always has the first operand's shape.
/// </summary>
public sealed record LegacyBroadcast(bool Enabled, long? Axis)
{
    /// <summary>Reads the `broadcast` and `axis` attributes (both absent means equal shapes are required).</summary>
    public static LegacyBroadcast Read(NodeContext node, bool hasAxis)
    {
        var a = node.Attributes;
        bool enabled = a.Int("broadcast", 0) != 0;
        long? axis = hasAxis && a.Has("axis") ? a.Int("axis", 0) : null;
        // The opset-6 spec gives no meaning to a negative axis; guessing one could align B wrongly.
        if (axis < 0) throw node.Fail($"legacy broadcast 'axis' = {axis} is negative; opset 6 defines only axes counted from the front");
        return new LegacyBroadcast(enabled, axis);
    }

    /// <summary>
    /// The second operand's shape padded with 1s to the first's rank, so that NumPy broadcasting reproduces the
    /// legacy rule; null when the shapes do not follow the rule (the message says why).
    /// </summary>
    public long[] AlignedShape(IReadOnlyList<long> first, IReadOnlyList<long> second, out string? problem)
    {
        problem = null;
        if (!Enabled)
        {
            if (!first.SequenceEqual(second)) problem = "without broadcast = 1 the operands must have the same shape";
            return [.. second];
        }
        int rankA = first.Count, rankB = second.Count;
        long axis = Axis ?? rankA - rankB;
        if (rankB > rankA || axis < 0 || axis + rankB > rankA)
        {
            problem = $"the second operand's {rankB} dimension(s) do not fit the first's {rankA} starting at axis {axis}";
            return [.. second];
        }
        var aligned = Enumerable.Repeat(1L, rankA).ToArray();
        for (int i = 0; i < rankB; i++)
        {
            // A size-1 dimension stands for one element that repeats (the spec's "1-element tensor" case).
            if (second[i] != first[(int)axis + i] && second[i] != 1)
                problem = $"dimension {i} of the second operand ({second[i]}) does not match axis {axis + i} of the first " +
                    $"({first[(int)axis + i]})";
            aligned[axis + i] = second[i];
        }
        return aligned;
    }
}
