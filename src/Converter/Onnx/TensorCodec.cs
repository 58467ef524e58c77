using System.Buffers.Binary;
using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Converter.Onnx;

/// <summary>
/// Converts between ONNX <see cref="TensorProto"/> and <see cref="HostTensor"/>, for the numeric element
/// types the converter computes with. Decoding checks the declared shape against the data before it allocates
/// anything, so a hostile or damaged file cannot make it allocate memory the file does not back.
/// </summary>
public static class TensorCodec
{
    /// <summary>Which repeated field of TensorProto carries a type's values when raw_data is not used.</summary>
    private enum TypedField { FloatData, DoubleData, Int32Data, Int64Data, UInt64Data }

    public static bool IsSupported(DataType type) => type switch
    {
        DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16 or DataType.Int8
            or DataType.Int16 or DataType.Int32 or DataType.Int64 or DataType.Uint8 or DataType.Uint16
            or DataType.Uint32 or DataType.Uint64 or DataType.Bool => true,
        _ => false,
    };

    /// <summary>Bytes per element in raw_data (little-endian) for a supported type.</summary>
    public static int ElementSize(DataType type) => type switch
    {
        DataType.Int8 or DataType.Uint8 or DataType.Bool => 1,
        DataType.Float16 or DataType.Bfloat16 or DataType.Int16 or DataType.Uint16 => 2,
        DataType.Float or DataType.Int32 or DataType.Uint32 => 4,
        DataType.Double or DataType.Int64 or DataType.Uint64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, $"{TypeName((int)type)} has no fixed element size here"),
    };

    /// <summary>The element type's name as the ONNX specification spells it (FLOAT16, UINT8, ...).</summary>
    public static string TypeName(int dataType)
    {
        string? member = Enum.GetName(typeof(DataType), dataType);
        if (member is null) return $"unknown type code {dataType}";
        return typeof(DataType).GetField(member)?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? member;
    }

    public static HostTensor Decode(TensorProto t, string file)
    {
        string label = Label(t);
        var type = (DataType)t.DataType;
        if (!IsSupported(type))
            throw new OnnxModelException(file, $"{label} has element type {TypeName(t.DataType)}, which cannot be read as "
                + "numbers (supported: FLOAT, DOUBLE, FLOAT16, BFLOAT16, INT8/16/32/64, UINT8/16/32/64, BOOL)");
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new OnnxModelException(file, $"{label} still refers to external data; OnnxModelFile.Load reads it into the model");

        long[] shape = [.. t.Dims];
        int count = CheckedElementCount(shape, label, file);
        TypedField field = TypedFieldOf(type);
        int typedCount = TypedCount(t, field);

        if (t.RawData.Length > 0 && typedCount > 0)
            throw new OnnxModelException(file,
                $"{label} has both raw_data and {FieldName(field)}; a tensor carries its values in one of them");

        if (t.RawData.Length > 0)
        {
            long expectedBytes = (long)count * ElementSize(type);
            if (t.RawData.Length != expectedBytes)
                throw new OnnxModelException(file, $"{label} declares dims {Dims(shape)}, {count} {TypeName(t.DataType)} elements "
                    + $"({expectedBytes} bytes), but raw_data holds {t.RawData.Length} bytes");
            return new HostTensor(type, shape, DecodeRaw(type, t.RawData.Span, count));
        }

        if (typedCount != count)
            throw new OnnxModelException(file, $"{label} declares dims {Dims(shape)}, {count} {TypeName(t.DataType)} elements, "
                + $"but holds {typedCount} values in {FieldName(field)} and no raw_data{OtherFieldsHint(t, field)}");
        return new HostTensor(type, shape, DecodeTyped(type, t, count, label, file));
    }

    public static TensorProto Encode(string name, HostTensor tensor)
    {
        DataType type = tensor.ElementType;
        if (!IsSupported(type))
            throw new ArgumentException($"tensor '{name}': element type {TypeName((int)type)} cannot be written from numbers",
                nameof(tensor));

        int size = ElementSize(type);
        var bytes = new byte[checked(tensor.Values.Length * size)];
        for (int i = 0; i < tensor.Values.Length; i++)
            WriteElement(type, bytes.AsSpan(i * size, size), tensor.Values[i], name);

        var proto = new TensorProto
        {
            Name = name,
            DataType = (int)type,
            // The array is owned by this proto from here on, so wrapping it saves a copy of every weight.
            RawData = UnsafeByteOperations.UnsafeWrap(bytes),
        };
        proto.Dims.AddRange(tensor.Shape);
        return proto;
    }

    private static string Label(TensorProto t) => t.Name.Length > 0 ? $"tensor '{t.Name}'" : "an unnamed tensor";

    private static string Dims(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";

    private static int CheckedElementCount(long[] shape, string label, string file)
    {
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0)
                throw new OnnxModelException(file, $"{label} has a negative dimension {d} in dims {Dims(shape)}");
            if (d != 0 && count > long.MaxValue / d)
                throw new OnnxModelException(file, $"{label} declares dims {Dims(shape)}, whose element count overflows a 64-bit integer");
            count *= d;
        }
        if (count > Array.MaxLength)
            throw new OnnxModelException(file,
                $"{label} declares dims {Dims(shape)}, {count} elements, more than one tensor can hold ({Array.MaxLength})");
        return (int)count;
    }

    private static TypedField TypedFieldOf(DataType type) => type switch
    {
        DataType.Float => TypedField.FloatData,
        DataType.Double => TypedField.DoubleData,
        DataType.Int64 => TypedField.Int64Data,
        DataType.Uint32 or DataType.Uint64 => TypedField.UInt64Data,
        // The specification packs every narrower type, float16 and bfloat16 as bit patterns, into int32_data.
        _ => TypedField.Int32Data,
    };

    private static string FieldName(TypedField field) => field switch
    {
        TypedField.FloatData => "float_data",
        TypedField.DoubleData => "double_data",
        TypedField.Int32Data => "int32_data",
        TypedField.Int64Data => "int64_data",
        _ => "uint64_data",
    };

    private static int TypedCount(TensorProto t, TypedField field) => field switch
    {
        TypedField.FloatData => t.FloatData.Count,
        TypedField.DoubleData => t.DoubleData.Count,
        TypedField.Int32Data => t.Int32Data.Count,
        TypedField.Int64Data => t.Int64Data.Count,
        _ => t.Uint64Data.Count,
    };

    /// <summary>Points at values stored in a field the type does not use, the usual cause of a count of 0.</summary>
    private static string OtherFieldsHint(TensorProto t, TypedField expected)
    {
        var misplaced = Enum.GetValues<TypedField>()
            .Where(f => f != expected && TypedCount(t, f) > 0)
            .Select(f => $"{TypedCount(t, f)} in {FieldName(f)}")
            .ToList();
        if (t.StringData.Count > 0) misplaced.Add($"{t.StringData.Count} in string_data");
        return misplaced.Count == 0 ? "" : $" ({string.Join(", ", misplaced)}, which {TypeName(t.DataType)} tensors do not use)";
    }

    private static double[] DecodeRaw(DataType type, ReadOnlySpan<byte> raw, int count)
    {
        var values = new double[count];
        int size = ElementSize(type);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> e = raw.Slice(i * size, size);
            values[i] = type switch
            {
                DataType.Float => BinaryPrimitives.ReadSingleLittleEndian(e),
                DataType.Double => BinaryPrimitives.ReadDoubleLittleEndian(e),
                DataType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(e),
                DataType.Bfloat16 => BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(e)),
                DataType.Int8 => (sbyte)e[0],
                DataType.Uint8 => e[0],
                DataType.Bool => e[0] != 0 ? 1 : 0,
                DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(e),
                DataType.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(e),
                DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(e),
                DataType.Uint32 => BinaryPrimitives.ReadUInt32LittleEndian(e),
                DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(e),
                DataType.Uint64 => BinaryPrimitives.ReadUInt64LittleEndian(e),
                _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
            };
        }
        return values;
    }

    private static double[] DecodeTyped(DataType type, TensorProto t, int count, string label, string file)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = type switch
            {
                DataType.Float => t.FloatData[i],
                DataType.Double => t.DoubleData[i],
                DataType.Int64 => t.Int64Data[i],
                DataType.Uint64 => t.Uint64Data[i],
                DataType.Uint32 => InRange(t.Uint64Data[i], uint.MaxValue, label, type, file),
                DataType.Int32 => t.Int32Data[i],
                DataType.Int8 => InRange(t.Int32Data[i], sbyte.MinValue, sbyte.MaxValue, label, type, file),
                DataType.Uint8 => InRange(t.Int32Data[i], byte.MinValue, byte.MaxValue, label, type, file),
                DataType.Int16 => InRange(t.Int32Data[i], short.MinValue, short.MaxValue, label, type, file),
                DataType.Uint16 => InRange(t.Int32Data[i], ushort.MinValue, ushort.MaxValue, label, type, file),
                DataType.Bool => InRange(t.Int32Data[i], 0, 1, label, type, file),
                DataType.Float16 => (double)BitConverter.UInt16BitsToHalf((ushort)InRange(t.Int32Data[i], 0, ushort.MaxValue, label, type,
                    file)),
                DataType.Bfloat16 => BFloat16ToSingle((ushort)InRange(t.Int32Data[i], 0, ushort.MaxValue, label, type, file)),
                _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
            };
        }
        return values;
    }

    private static int InRange(int value, int min, int max, string label, DataType type, string file) =>
        value >= min && value <= max ? value
            : throw new OnnxModelException(file,
                $"{label} stores {value} in int32_data, outside the range of {TypeName((int)type)} ({min}..{max})");

    private static ulong InRange(ulong value, ulong max, string label, DataType type, string file) =>
        value <= max ? value
            : throw new OnnxModelException(file,
                $"{label} stores {value} in uint64_data, outside the range of {TypeName((int)type)} (0..{max})");

    private static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    private static ushort SingleToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        // Truncating a NaN's mantissa could leave zero, turning it into infinity; keep it a quiet NaN.
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x0040);
        uint roundToNearestEven = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundToNearestEven) >> 16);
    }

    private static void WriteElement(DataType type, Span<byte> e, double v, string name)
    {
        switch (type)
        {
            case DataType.Float: BinaryPrimitives.WriteSingleLittleEndian(e, (float)v); break;
            case DataType.Double: BinaryPrimitives.WriteDoubleLittleEndian(e, v); break;
            case DataType.Float16: BinaryPrimitives.WriteHalfLittleEndian(e, (Half)v); break;
            // Rounding through float first can differ from direct rounding only at exact ties of the double;
            // values that came from a BFLOAT16 tensor are representable and come back unchanged.
            case DataType.Bfloat16: BinaryPrimitives.WriteUInt16LittleEndian(e, SingleToBFloat16((float)v)); break;
            case DataType.Int8: e[0] = (byte)(sbyte)Integer(v, sbyte.MinValue, sbyte.MaxValue, type, name); break;
            case DataType.Uint8: e[0] = (byte)Integer(v, byte.MinValue, byte.MaxValue, type, name); break;
            case DataType.Bool: e[0] = (byte)Integer(v, 0, 1, type, name); break;
            case DataType.Int16:
                BinaryPrimitives.WriteInt16LittleEndian(e, (short)Integer(v, short.MinValue, short.MaxValue, type,
                name)); break;
            case DataType.Uint16:
                BinaryPrimitives.WriteUInt16LittleEndian(e, (ushort)Integer(v, ushort.MinValue, ushort.MaxValue, type,
                name)); break;
            case DataType.Int32: BinaryPrimitives.WriteInt32LittleEndian(e, (int)Integer(v, int.MinValue, int.MaxValue, type, name)); break;
            case DataType.Uint32:
                BinaryPrimitives.WriteUInt32LittleEndian(e, (uint)Integer(v, uint.MinValue, uint.MaxValue, type,
                name)); break;
            case DataType.Int64: BinaryPrimitives.WriteInt64LittleEndian(e, Int64(v, name)); break;
            case DataType.Uint64: BinaryPrimitives.WriteUInt64LittleEndian(e, UInt64(v, name)); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }

    private static long Integer(double v, long min, long max, DataType type, string name) =>
        double.IsInteger(v) && v >= min && v <= max ? (long)v
            : throw new ArgumentException($"tensor '{name}': value {v} is not a {TypeName((int)type)} ({min}..{max})");

    // long.MaxValue and ulong.MaxValue (common as "to the end" in Slice) round up to 2^63 and 2^64 as doubles;
    // those two bounds are accepted and written as the maximum again.
    private const double TwoTo63 = 9223372036854775808.0;
    private const double TwoTo64 = 18446744073709551616.0;

    private static long Int64(double v, string name) =>
        !double.IsInteger(v) || v < -TwoTo63 || v > TwoTo63
            ? throw new ArgumentException($"tensor '{name}': value {v} is not an INT64")
            : v == TwoTo63 ? long.MaxValue : (long)v;

    private static ulong UInt64(double v, string name) =>
        !double.IsInteger(v) || v < 0 || v > TwoTo64
            ? throw new ArgumentException($"tensor '{name}': value {v} is not a UINT64")
            : v == TwoTo64 ? ulong.MaxValue : (ulong)v;
}
