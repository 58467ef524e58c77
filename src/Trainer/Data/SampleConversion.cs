using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Element conversions from the held types to a batch's types. They are bitwise those of the former path, which held
/// every value as a double and cast it: a float32 batch of float64 data rounds once (to nearest), integers go through
/// a double (exact for the values a data file may hold), and uint8 pixels are v / 255.0 in double, then rounded.
/// </summary>
internal static class SampleConversion
{
    private static readonly double[] PixelsAsFloat64 = Enumerable.Range(0, 256).Select(v => v / 255.0).ToArray();
    private static readonly float[] PixelsAsFloat32 = PixelsAsFloat64.Select(v => (float)v).ToArray();

    public static Func<T, float> ToFloat32<T>(DataType stored) where T : unmanaged
    {
        Func<byte, float> fromByte = SampleTypes.IsPixels(stored) ? b => PixelsAsFloat32[b] : b => b;
        return Typed<T, float>(f => f, d => (float)d, fromByte, i => (float)(double)i, l => (float)(double)l);
    }

    public static Func<T, double> ToFloat64<T>(DataType stored) where T : unmanaged
    {
        Func<byte, double> fromByte = SampleTypes.IsPixels(stored) ? b => PixelsAsFloat64[b] : b => b;
        return Typed<T, double>(f => f, d => d, fromByte, i => i, l => l);
    }

    public static Func<T, long> ToInt64<T>() where T : unmanaged => Typed<T, long>(f => (long)(double)f, d => (long)d, b => b, i => i,
        l => l);

    /// <summary>The stored value as a double, unscaled.</summary>
    public static double ToDouble<T>(T value) where T : unmanaged => value switch
    {
        float f => f,
        double d => d,
        byte b => b,
        int i => i,
        long l => (double)l,
        _ => throw new ArgumentException($"no conversion from {typeof(T)}"),
    };

    /// <summary>The conversion for the held type T, picked once per batch rather than per element.</summary>
    private static Func<T, TOut> Typed<T, TOut>(Func<float, TOut> fromFloat, Func<double, TOut> fromDouble, Func<byte, TOut> fromByte,
        Func<int, TOut> fromInt, Func<long, TOut> fromLong) where T : unmanaged => (Func<T, TOut>)(object)(
        typeof(T) == typeof(float) ? fromFloat
        : typeof(T) == typeof(double) ? fromDouble
        : typeof(T) == typeof(byte) ? fromByte
        : typeof(T) == typeof(int) ? fromInt
        : typeof(T) == typeof(long) ? fromLong
        : throw new ArgumentException($"no conversion from {typeof(T)}"));
}
