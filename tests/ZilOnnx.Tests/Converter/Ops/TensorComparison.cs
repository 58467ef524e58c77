using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// An elementwise bound |actual - expected| &lt;= Relative * |expected| + Absolute * max(1, max |expected|). The
/// absolute part scales with the tensor's magnitude because rounding in a sum (Conv, Gemm, pooling) is relative to
/// the size of the terms summed, not to the size of a result that happens to cancel to near zero.
/// </summary>
internal sealed record Tolerance(double Relative, double Absolute, string Reason);

/// <summary>How far one tensor is from another, as the worst fraction of the allowed error it uses (1 = at the bound).</summary>
internal sealed record Deviation(double WorstFraction, double MaxAbsolute, string? Mismatch)
{
    public bool Within => Mismatch == null && WorstFraction <= 1;

    public override string ToString() => Mismatch ?? $"max |diff| {MaxAbsolute:G3} ({WorstFraction:P0} of the tolerance)";
}

internal static class TensorComparison
{
    public static Deviation Compare(HostTensor expected, long[] actualShape, double[] actual, Tolerance tolerance)
    {
        if (!expected.Shape.SequenceEqual(actualShape))
            return new Deviation(double.PositiveInfinity, double.PositiveInfinity,
                $"shape [{string.Join(", ", actualShape)}], expected [{string.Join(", ", expected.Shape)}]");
        double scale = Math.Max(1, expected.Values.Select(Math.Abs).DefaultIfEmpty(0).Max());
        double worst = 0, maxAbsolute = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double e = expected.Values[i], a = actual[i];
            // Equal infinities (max pooling over -inf) and equal NaNs are the same result.
            if (e.Equals(a)) continue;
            double difference = Math.Abs(a - e);
            if (double.IsNaN(difference))
                return new Deviation(double.PositiveInfinity, double.PositiveInfinity, $"element {i} is {a}, expected {e}");
            double allowed = tolerance.Relative * Math.Abs(e) + tolerance.Absolute * scale;
            maxAbsolute = Math.Max(maxAbsolute, difference);
            worst = Math.Max(worst, difference / allowed);
        }
        return new Deviation(worst, maxAbsolute, null);
    }
}
