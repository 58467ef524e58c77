using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Conversions between 64-bit integers and doubles that refuse to round: <see cref="HostTensor"/> holds doubles,
/// and a label or index silently changed by rounding would be a wrong tensor, not an error.
/// </summary>
internal static class ExactDouble
{
    private const double TwoTo63 = 9223372036854775808.0;
    private const double TwoTo64 = 18446744073709551616.0;

    public static bool FromInt64(long value, out double result)
    {
        result = value;
        return result < TwoTo63 && (long)result == value;
    }

    public static bool FromUInt64(ulong value, out double result)
    {
        result = value;
        return result < TwoTo64 && (ulong)result == value;
    }

    /// <summary>True when <paramref name="value"/> is a whole number in [<paramref name="min"/>,
    /// <paramref name="maxExclusive"/>).</summary>
    public static bool IsIntegerInRange(double value, double min, double maxExclusive) =>
        value >= min && value < maxExclusive && Math.Floor(value) == value;
}
