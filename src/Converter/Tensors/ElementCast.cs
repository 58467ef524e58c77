using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Converter.Tensors;

/// <summary>
/// One element converted to another ONNX element type, held as a double like every <see cref="HostTensor"/>
/// value: floats round to the target's precision (to nearest, ties to even), floats to integers truncate
/// toward zero and integers wrap around to the target's width (as C and ONNX Runtime do), anything non-zero
/// becomes a bool true.
/// </summary>
public static class ElementCast
{
    public static bool IsFloatingPoint(DataType type) => type is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16;

    public static bool IsSupported(DataType type) => IsFloatingPoint(type) || type is DataType.Bool
        or DataType.Int8 or DataType.Int16 or DataType.Int32 or DataType.Int64
        or DataType.Uint8 or DataType.Uint16 or DataType.Uint32 or DataType.Uint64;

    public static double Convert(double value, DataType to) => to switch
    {
        DataType.Double => value,
        DataType.Float => (float)value,
        DataType.Float16 => (double)(Half)value,
        DataType.Bfloat16 => RoundToBfloat16(value),
        DataType.Bool => value != 0 ? 1 : 0,
        DataType.Int8 => unchecked((sbyte)Integer(value)),
        DataType.Int16 => unchecked((short)Integer(value)),
        DataType.Int32 => unchecked((int)Integer(value)),
        DataType.Int64 => Integer(value),
        DataType.Uint8 => unchecked((byte)Integer(value)),
        DataType.Uint16 => unchecked((ushort)Integer(value)),
        DataType.Uint32 => unchecked((uint)Integer(value)),
        DataType.Uint64 => unchecked((ulong)Integer(value)),
        _ => throw new ArgumentException($"cast to {to} is not supported"),
    };

    private static long Integer(double value) => (long)Math.Truncate(value);

    /// <summary>bfloat16 is float32's upper half: round the float32 bits to 16, to nearest with ties to even.</summary>
    public static double RoundToBfloat16(double value)
    {
        float f = (float)value;
        if (float.IsNaN(f)) return double.NaN;
        uint bits = BitConverter.SingleToUInt32Bits(f);
        uint rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000;
        return BitConverter.UInt32BitsToSingle(rounded);
    }
}
