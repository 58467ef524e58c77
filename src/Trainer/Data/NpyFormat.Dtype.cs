using System.Buffers.Binary;
using System.Globalization;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>The NumPy dtypes that map to ONNX element types, and their byte encodings.</summary>
public static partial class NpyFormat
{
    /// <summary>One supported NumPy dtype: kind letter, item size, byte order and the ONNX element type it maps to.</summary>
    internal sealed partial record NpyDtype(char Kind, int Size, bool BigEndian, DataType ElementType)
    {
        private static readonly NpyDtype[] LittleEndianTypes =
        [
            new('f', 2, false, DataType.Float16),
            new('f', 4, false, DataType.Float),
            new('f', 8, false, DataType.Double),
            new('i', 1, false, DataType.Int8),
            new('i', 2, false, DataType.Int16),
            new('i', 4, false, DataType.Int32),
            new('i', 8, false, DataType.Int64),
            new('u', 1, false, DataType.Uint8),
            new('u', 2, false, DataType.Uint16),
            new('u', 4, false, DataType.Uint32),
            new('u', 8, false, DataType.Uint64),
            new('b', 1, false, DataType.Bool),
        ];

        public static string SupportedDescriptors => string.Join(" ", LittleEndianTypes.Select(t => $"'{t.Descriptor}'"));

        public static string SupportedElementTypes => string.Join(", ", LittleEndianTypes.Select(t => Name(t.ElementType)));

        /// <summary>NumPy's spelling: '|' (no byte order) for one-byte types, else '&lt;' or '&gt;'.</summary>
        public string Descriptor => $"{(Size == 1 ? '|' : BigEndian ? '>' : '<')}{Kind}{Size}";

        public static string Name(DataType elementType) => elementType.ToString().ToUpperInvariant();

        public static NpyDtype? ForElementType(DataType elementType) =>
            LittleEndianTypes.FirstOrDefault(t => t.ElementType == elementType);

        public static NpyDtype? Parse(string descriptor)
        {
            if (descriptor.Length < 3) return null;
            bool? bigEndian = descriptor[0] switch
            {
                '<' => false,
                '>' => true,
                '|' => false,
                '=' => !BitConverter.IsLittleEndian,
                _ => null,
            };
            if (bigEndian is null || !int.TryParse(descriptor.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int size))
                return null;
            NpyDtype? match = LittleEndianTypes.FirstOrDefault(t => t.Kind == descriptor[1] && t.Size == size);
            return match is null ? null : match with { BigEndian = bigEndian.Value && size > 1 };
        }

        /// <summary>Decodes elements into doubles; returns the index of the first element a double cannot hold exactly, or -1.</summary>
        public int Decode(ReadOnlySpan<byte> bytes, Span<double> values)
        {
            bool big = BigEndian;
            switch (Kind, Size)
            {
                case ('f', 2):
                    for (int i = 0; i < values.Length; i++)
                    {
                        ushort bits = big ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..])
                            : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
                        values[i] = (double)BitConverter.UInt16BitsToHalf(bits);
                    }
                    return -1;
                case ('f', 4):
                    for (int i = 0; i < values.Length; i++)
                        values[i] = big ? BinaryPrimitives.ReadSingleBigEndian(bytes[(4 * i)..])
                            : BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                    return -1;
                case ('f', 8):
                    for (int i = 0; i < values.Length; i++)
                        values[i] = big ? BinaryPrimitives.ReadDoubleBigEndian(bytes[(8 * i)..])
                            : BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                    return -1;
                case ('i', 1):
                    for (int i = 0; i < values.Length; i++) values[i] = (sbyte)bytes[i];
                    return -1;
                case ('u', 1):
                    for (int i = 0; i < values.Length; i++) values[i] = bytes[i];
                    return -1;
                case ('b', 1):
                    for (int i = 0; i < values.Length; i++) values[i] = bytes[i] != 0 ? 1 : 0;
                    return -1;
                case ('i', 2):
                    for (int i = 0; i < values.Length; i++)
                        values[i] = big ? BinaryPrimitives.ReadInt16BigEndian(bytes[(2 * i)..])
                            : BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]);
                    return -1;
                case ('u', 2):
                    for (int i = 0; i < values.Length; i++)
                        values[i] = big ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..])
                            : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
                    return -1;
                case ('i', 4):
                    for (int i = 0; i < values.Length; i++)
                        values[i] = big ? BinaryPrimitives.ReadInt32BigEndian(bytes[(4 * i)..])
                            : BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
                    return -1;
                case ('u', 4):
                    for (int i = 0; i < values.Length; i++)
                        values[i] = big ? BinaryPrimitives.ReadUInt32BigEndian(bytes[(4 * i)..])
                            : BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]);
                    return -1;
                case ('i', 8):
                    for (int i = 0; i < values.Length; i++)
                    {
                        long v = big ? BinaryPrimitives.ReadInt64BigEndian(bytes[(8 * i)..])
                            : BinaryPrimitives.ReadInt64LittleEndian(bytes[(8 * i)..]);
                        if (!ExactDouble.FromInt64(v, out values[i])) return i;
                    }
                    return -1;
                case ('u', 8):
                    for (int i = 0; i < values.Length; i++)
                    {
                        ulong v = big ? BinaryPrimitives.ReadUInt64BigEndian(bytes[(8 * i)..])
                            : BinaryPrimitives.ReadUInt64LittleEndian(bytes[(8 * i)..]);
                        if (!ExactDouble.FromUInt64(v, out values[i])) return i;
                    }
                    return -1;
                default:
                    throw new InvalidOperationException($"no decoder for dtype {Descriptor}");
            }
        }

        /// <summary>Encodes doubles little-endian; returns the index of the first value the type cannot hold, or -1.</summary>
        public int Encode(ReadOnlySpan<double> values, Span<byte> bytes)
        {
            for (int i = 0; i < values.Length; i++)
            {
                double v = values[i];
                Span<byte> item = bytes.Slice(i * Size, Size);
                switch (Kind, Size)
                {
                    case ('f', 2): BinaryPrimitives.WriteHalfLittleEndian(item, (Half)v); break;
                    case ('f', 4): BinaryPrimitives.WriteSingleLittleEndian(item, (float)v); break;
                    case ('f', 8): BinaryPrimitives.WriteDoubleLittleEndian(item, v); break;
                    case ('b', 1):
                        if (v is not (0 or 1)) return i;
                        item[0] = (byte)v;
                        break;
                    case ('i', _):
                        if (!ExactDouble.IsIntegerInRange(v, -Math.Pow(2, 8 * Size - 1), Math.Pow(2, 8 * Size - 1))) return i;
                        WriteSigned(item, (long)v);
                        break;
                    case ('u', _):
                        if (!ExactDouble.IsIntegerInRange(v, 0, Math.Pow(2, 8 * Size))) return i;
                        WriteUnsigned(item, (ulong)v);
                        break;
                    default:
                        throw new InvalidOperationException($"no encoder for dtype {Descriptor}");
                }
            }
            return -1;
        }

        private static void WriteSigned(Span<byte> item, long v)
        {
            switch (item.Length)
            {
                case 1: item[0] = (byte)(sbyte)v; break;
                case 2: BinaryPrimitives.WriteInt16LittleEndian(item, (short)v); break;
                case 4: BinaryPrimitives.WriteInt32LittleEndian(item, (int)v); break;
                default: BinaryPrimitives.WriteInt64LittleEndian(item, v); break;
            }
        }

        private static void WriteUnsigned(Span<byte> item, ulong v)
        {
            switch (item.Length)
            {
                case 1: item[0] = (byte)v; break;
                case 2: BinaryPrimitives.WriteUInt16LittleEndian(item, (ushort)v); break;
                case 4: BinaryPrimitives.WriteUInt32LittleEndian(item, (uint)v); break;
                default: BinaryPrimitives.WriteUInt64LittleEndian(item, v); break;
            }
        }

        public string FormatRaw(ReadOnlySpan<byte> item) => Kind == 'u'
            ? (BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(item)
                : BinaryPrimitives.ReadUInt64LittleEndian(item)).ToString(CultureInfo.InvariantCulture)
            : (BigEndian ? BinaryPrimitives.ReadInt64BigEndian(item)
                : BinaryPrimitives.ReadInt64LittleEndian(item)).ToString(CultureInfo.InvariantCulture);
    }
}
