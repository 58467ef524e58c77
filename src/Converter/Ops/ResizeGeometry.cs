namespace ZilOnnx.Converter.Ops;

public enum ResizeMode { Nearest, Linear }

/// <summary>How an output index is mapped back to a coordinate in the input (ONNX coordinate_transformation_mode).</summary>
public enum CoordinateTransform { HalfPixel, PytorchHalfPixel, AlignCorners, Asymmetric, TfHalfPixelForNearest }

/// <summary>
/// How a fractional input coordinate picks a cell in nearest mode. <see cref="Legacy"/> is Upsample's and
/// Resize-10's rule as ONNX Runtime applies it: floor when enlarging, ceil when shrinking.
/// </summary>
public enum NearestRounding { RoundPreferFloor, RoundPreferCeil, Floor, Ceil, Legacy }

/// <summary>
/// Where each output cell of one resized axis reads: nearest mode reads <see cref="Low"/>; linear mode blends
/// Low and High as (1 - <see cref="HighWeight"/>) * x[Low] + HighWeight * x[High].
/// </summary>
public sealed record AxisSampling(long[] Low, long[] High, double[] HighWeight);

internal static class ResizeGeometry
{
    /// <summary>input * scale in float32, as ONNX Runtime computes it (5 x 0.8f is 4 there, a hair above 4 in float64).</summary>
    public static double ResizedLength(long input, double scale) => (float)(input * (float)scale);

    /// <summary>The sampling of one axis of size <paramref name="input"/> resized to <paramref name="output"/> with the given
    /// scale.</summary>
    public static AxisSampling Sample(ResizeMode mode, CoordinateTransform transform, NearestRounding rounding, long input, long output,
        double scale)
    {
        var low = new long[output];
        var high = new long[output];
        var weight = new double[output];
        for (long j = 0; j < output; j++)
        {
            double x = Coordinate(transform, j, input, ResizedLength(input, scale), scale);
            if (mode == ResizeMode.Nearest)
            {
                low[j] = high[j] = Math.Clamp(Round(rounding, x, scale < 1), 0, input - 1);
                continue;
            }
            // Linear: coordinates outside the input take the edge value (ONNX Runtime clamps them).
            double c = Math.Clamp(x, 0, input - 1);
            long floor = (long)Math.Floor(c);
            low[j] = floor;
            high[j] = Math.Min(floor + 1, input - 1);
            weight[j] = high[j] == low[j] ? 0 : c - floor;
        }
        return new AxisSampling(low, high, weight);
    }

    /// <summary>
    /// The input coordinate of output cell <paramref name="j"/>. The resized length in the formulas is input * scale
    /// before rounding (as the spec and ONNX Runtime write it), which differs from the output size when scales are given.
    /// </summary>
    private static double Coordinate(CoordinateTransform transform, long j, long input, double resizedLength,
        double scale) => transform switch
        {
            CoordinateTransform.HalfPixel => (j + 0.5) / scale - 0.5,
            CoordinateTransform.PytorchHalfPixel => resizedLength > 1 ? (j + 0.5) / scale - 0.5 : 0,
            CoordinateTransform.AlignCorners => resizedLength != 1 ? j * (input - 1) / (resizedLength - 1) : 0,
            CoordinateTransform.Asymmetric => j / scale,
            CoordinateTransform.TfHalfPixelForNearest => (j + 0.5) / scale,
            _ => throw new ArgumentOutOfRangeException(nameof(transform)),
        };

    private static long Round(NearestRounding rounding, double x, bool shrinking) => rounding switch
    {
        NearestRounding.RoundPreferFloor => x == Math.Floor(x) + 0.5 ? (long)Math.Floor(x) : (long)Math.Round(x),
        NearestRounding.RoundPreferCeil => x == Math.Floor(x) + 0.5 ? (long)Math.Ceiling(x) : (long)Math.Round(x),
        NearestRounding.Floor => (long)Math.Floor(x),
        NearestRounding.Ceil => (long)Math.Ceiling(x),
        NearestRounding.Legacy => shrinking ? (long)Math.Ceiling(x) : (long)Math.Floor(x),
        _ => throw new ArgumentOutOfRangeException(nameof(rounding)),
    };
}
