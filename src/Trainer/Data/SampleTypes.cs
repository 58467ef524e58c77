using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// How each element type a data file can store is held in memory, and its name in messages. The common types are held
/// as they are (float32, float64, uint8, int32, int64); the rare ones are widened to the nearest of those that holds
/// every value exactly (float16 to float32, small integers to int32, uint32 and uint64 to int64), so a data set costs
/// about its stored size, never eight bytes an element.
/// </summary>
public static class SampleTypes
{
    /// <summary>The CLR type elements of <paramref name="type"/> are held as.</summary>
    public static Type HeldAs(DataType type) => type switch
    {
        DataType.Float or DataType.Float16 => typeof(float),
        DataType.Double => typeof(double),
        DataType.Uint8 or DataType.Bool => typeof(byte),
        DataType.Int8 or DataType.Int16 or DataType.Uint16 or DataType.Int32 => typeof(int),
        DataType.Uint32 or DataType.Int64 or DataType.Uint64 => typeof(long),
        _ => throw new ArgumentException($"element type {Name(type)} cannot be held as data"),
    };

    /// <summary>Bytes one element of <paramref name="type"/> takes in memory.</summary>
    public static int HeldItemSize(DataType type)
    {
        Type held = HeldAs(type);
        return held == typeof(byte) ? 1 : held == typeof(float) || held == typeof(int) ? 4 : 8;
    }

    /// <summary>NumPy's name for the type (float32, uint8, ...), which is how users know their arrays.</summary>
    public static string Name(DataType type) => type switch
    {
        DataType.Float => "float32",
        DataType.Double => "float64",
        DataType.Float16 => "float16",
        DataType.Bfloat16 => "bfloat16",
        DataType.Bool => "bool",
        DataType.Int8 => "int8",
        DataType.Int16 => "int16",
        DataType.Int32 => "int32",
        DataType.Int64 => "int64",
        DataType.Uint8 => "uint8",
        DataType.Uint16 => "uint16",
        DataType.Uint32 => "uint32",
        DataType.Uint64 => "uint64",
        _ => type.ToString().ToLowerInvariant(),
    };

    public static bool IsFloatingPoint(DataType type) => type is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16;

    /// <summary>
    /// uint8 inputs are images: their values are pixel intensities and feed a floating-point input scaled to [0, 1]
    /// (v / 255), like the pixels of IDX files.
    /// </summary>
    public static bool IsPixels(DataType type) => type == DataType.Uint8;
}
