using System.Buffers.Binary;
using Google.Protobuf;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using Xunit;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Converter.Onnx;

/// <summary>
/// Decoding and encoding tensors. Every comparison is exact: the test values are representable in their
/// element type, so decoding and encoding must not change a single bit.
/// </summary>
public sealed class TensorCodecTests
{
    private const string File = "model.onnx";

    private static OnnxModelException DecodeFails(TensorProto t)
    {
        var e = Assert.Throws<OnnxModelException>(() => TensorCodec.Decode(t, File));
        Assert.StartsWith(File + ": ", e.Message);
        return e;
    }

    private static TensorProto Tensor(DataType type, params long[] dims)
    {
        var t = new TensorProto { Name = "t", DataType = (int)type };
        t.Dims.AddRange(dims);
        return t;
    }

    /// <summary>Exact values per type, and their little-endian bytes written independently of the codec.</summary>
    public static TheoryData<DataType, double[], byte[]> RawCases() => new()
    {
        { DataType.Float, [1.5, -0.0, float.MaxValue, float.Epsilon], Bytes(4, [1.5, -0.0, float.MaxValue, float.Epsilon], (s, v) => BinaryPrimitives.WriteSingleLittleEndian(s, (float)v)) },
        { DataType.Double, [Math.PI, -1e300, double.Epsilon], Bytes(8, [Math.PI, -1e300, double.Epsilon], (s, v) => BinaryPrimitives.WriteDoubleLittleEndian(s, v)) },
        { DataType.Float16, [1.0, -2.5, 65504, 0.0001220703125], Bytes(2, [1.0, -2.5, 65504, 0.0001220703125], (s, v) => BinaryPrimitives.WriteHalfLittleEndian(s, (Half)v)) },
        { DataType.Bfloat16, [1.0, -3.0, 0.15625], [0x80, 0x3F, 0x40, 0xC0, 0x20, 0x3E] },
        { DataType.Int8, [-128, 0, 127], [0x80, 0x00, 0x7F] },
        { DataType.Uint8, [0, 200, 255], [0, 200, 255] },
        { DataType.Bool, [1, 0, 1], [1, 0, 1] },
        { DataType.Int16, [-32768, 1, 32767], Bytes(2, [-32768, 1, 32767], (s, v) => BinaryPrimitives.WriteInt16LittleEndian(s, (short)v)) },
        { DataType.Uint16, [0, 65535], Bytes(2, [0, 65535], (s, v) => BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)v)) },
        { DataType.Int32, [int.MinValue, -1, int.MaxValue], Bytes(4, [int.MinValue, -1, int.MaxValue], (s, v) => BinaryPrimitives.WriteInt32LittleEndian(s, (int)v)) },
        { DataType.Uint32, [0, uint.MaxValue], Bytes(4, [0, uint.MaxValue], (s, v) => BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)v)) },
        { DataType.Int64, [-(1L << 53), 0, 1L << 53], Bytes(8, [-(1L << 53), 0, 1L << 53], (s, v) => BinaryPrimitives.WriteInt64LittleEndian(s, (long)v)) },
        { DataType.Uint64, [0, 1L << 53], Bytes(8, [0, 1L << 53], (s, v) => BinaryPrimitives.WriteUInt64LittleEndian(s, (ulong)v)) },
    };

    private static byte[] Bytes(int size, double[] values, Action<Span<byte>, double> write)
    {
        var bytes = new byte[size * values.Length];
        for (int i = 0; i < values.Length; i++) write(bytes.AsSpan(i * size, size), values[i]);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(RawCases))]
    public void Raw_data_decodes_exactly(DataType type, double[] values, byte[] raw)
    {
        var t = Tensor(type, values.Length);
        t.RawData = ByteString.CopyFrom(raw);

        HostTensor decoded = TensorCodec.Decode(t, File);

        Assert.Equal(type, decoded.ElementType);
        Assert.Equal([(long)values.Length], decoded.Shape);
        Assert.Equal(values, decoded.Values);
    }

    [Theory]
    [MemberData(nameof(RawCases))]
    public void Encode_writes_raw_data_in_the_element_type(DataType type, double[] values, byte[] raw)
    {
        TensorProto t = TensorCodec.Encode("w", new HostTensor(type, [1, values.Length], values));

        Assert.Equal("w", t.Name);
        Assert.Equal((int)type, t.DataType);
        Assert.Equal([1L, values.Length], t.Dims);
        Assert.Equal(raw, t.RawData.ToByteArray());
        Assert.Equal(values, TensorCodec.Decode(t, File).Values);
    }

    [Fact]
    public void Typed_fields_decode_exactly()
    {
        var f = Tensor(DataType.Float, 2, 2);
        f.FloatData.AddRange([1f, -2f, 0.25f, 1e-30f]);
        Assert.Equal([1.0, -2.0, 0.25, (double)1e-30f], TensorCodec.Decode(f, File).Values);

        var d = Tensor(DataType.Double, 2);
        d.DoubleData.AddRange([Math.E, -0.5]);
        Assert.Equal([Math.E, -0.5], TensorCodec.Decode(d, File).Values);

        var i64 = Tensor(DataType.Int64, 2);
        i64.Int64Data.AddRange([-7, 1L << 40]);
        Assert.Equal([-7.0, 1L << 40], TensorCodec.Decode(i64, File).Values);

        var u32 = Tensor(DataType.Uint32, 2);
        u32.Uint64Data.AddRange([0, uint.MaxValue]);
        Assert.Equal([0.0, uint.MaxValue], TensorCodec.Decode(u32, File).Values);

        var u64 = Tensor(DataType.Uint64, 1);
        u64.Uint64Data.Add(1UL << 60);
        Assert.Equal([(double)(1UL << 60)], TensorCodec.Decode(u64, File).Values);
    }

    [Theory]
    [InlineData(DataType.Int8, -128, -128.0)]
    [InlineData(DataType.Uint8, 255, 255.0)]
    [InlineData(DataType.Int16, -300, -300.0)]
    [InlineData(DataType.Uint16, 65535, 65535.0)]
    [InlineData(DataType.Int32, int.MinValue, int.MinValue)]
    [InlineData(DataType.Bool, 1, 1.0)]
    [InlineData(DataType.Float16, 0x3C00, 1.0)]  // the bit pattern of 1.0
    [InlineData(DataType.Float16, 0xC100, -2.5)]
    [InlineData(DataType.Bfloat16, 0x3F80, 1.0)]
    public void Int32_data_carries_narrow_types_and_half_precision_bit_patterns(DataType type, int stored, double expected)
    {
        var t = Tensor(type, 1);
        t.Int32Data.Add(stored);

        Assert.Equal([expected], TensorCodec.Decode(t, File).Values);
    }

    [Fact]
    public void Scalar_and_empty_tensors_decode()
    {
        var scalar = Tensor(DataType.Float);
        scalar.FloatData.Add(4f);
        var empty = Tensor(DataType.Float, 0, 3);

        Assert.Equal([4.0], TensorCodec.Decode(scalar, File).Values);
        Assert.Empty(TensorCodec.Decode(empty, File).Values);
        Assert.Equal([0L, 3L], TensorCodec.Decode(empty, File).Shape);
    }

    [Fact]
    public void Int64_extremes_used_by_slice_survive_a_round_trip()
    {
        var t = Tensor(DataType.Int64, 2);
        t.Int64Data.AddRange([long.MaxValue, long.MinValue]);

        TensorProto again = TensorCodec.Encode("ends", TensorCodec.Decode(t, File));

        Assert.Equal([long.MaxValue, long.MinValue],
            [BinaryPrimitives.ReadInt64LittleEndian(again.RawData.Span), BinaryPrimitives.ReadInt64LittleEndian(again.RawData.Span[8..])]);
    }

    [Fact]
    public void Float16_nan_and_infinity_survive_a_round_trip()
    {
        var t = TensorCodec.Encode("h", new HostTensor(DataType.Float16, [3], [double.NaN, double.PositiveInfinity, double.NegativeInfinity]));

        var values = TensorCodec.Decode(t, File).Values;

        Assert.True(double.IsNaN(values[0]));
        Assert.Equal([double.PositiveInfinity, double.NegativeInfinity], values[1..]);
    }

    [Fact]
    public void Raw_data_shorter_than_the_dims_is_refused()
    {
        var t = Tensor(DataType.Float, 2, 3);
        t.RawData = ByteString.CopyFrom(new byte[20]);

        Assert.Contains("tensor 't' declares dims [2, 3], 6 FLOAT elements (24 bytes), but raw_data holds 20 bytes", DecodeFails(t).Message);
    }

    [Fact]
    public void Typed_field_with_too_many_values_is_refused()
    {
        var t = Tensor(DataType.Float, 2);
        t.FloatData.AddRange([1f, 2f, 3f]);

        Assert.Contains("declares dims [2], 2 FLOAT elements, but holds 3 values in float_data", DecodeFails(t).Message);
    }

    [Fact]
    public void Values_in_a_field_the_type_does_not_use_are_pointed_out()
    {
        var t = Tensor(DataType.Float, 2);
        t.Int64Data.AddRange([1, 2]);

        Assert.Contains("2 in int64_data, which FLOAT tensors do not use", DecodeFails(t).Message);
    }

    [Fact]
    public void Raw_data_and_a_typed_field_together_are_refused()
    {
        var t = Tensor(DataType.Float, 1);
        t.FloatData.Add(1f);
        t.RawData = ByteString.CopyFrom(new byte[4]);

        Assert.Contains("has both raw_data and float_data", DecodeFails(t).Message);
    }

    [Fact]
    public void Trillion_declared_elements_without_data_fail_before_allocating()
    {
        var t = Tensor(DataType.Float, 1_000_000, 1_000_000);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var e = DecodeFails(t);

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore < 1 << 20, "decoding allocated over 1 MiB before failing");
        Assert.Contains("declares dims [1000000, 1000000], 1000000000000 elements, more than one tensor can hold", e.Message);
    }

    [Fact]
    public void Element_count_overflow_is_refused()
    {
        var t = Tensor(DataType.Float, 1L << 40, 1L << 40);

        Assert.Contains("element count overflows", DecodeFails(t).Message);
    }

    [Fact]
    public void Negative_dimension_is_refused()
    {
        var t = Tensor(DataType.Float, 2, -3);

        Assert.Contains("tensor 't' has a negative dimension -3 in dims [2, -3]", DecodeFails(t).Message);
    }

    [Fact]
    public void String_tensor_is_refused_naming_the_tensor_and_its_type()
    {
        var t = new TensorProto { Name = "labels", DataType = (int)DataType.String };
        t.Dims.Add(1);
        t.StringData.Add(ByteString.CopyFromUtf8("cat"));

        Assert.Contains("tensor 'labels' has element type STRING, which cannot be read as numbers", DecodeFails(t).Message);
    }

    [Theory]
    [InlineData(DataType.Complex64, "COMPLEX64")]
    [InlineData(DataType.Complex128, "COMPLEX128")]
    [InlineData(DataType.Float8E4M3Fn, "FLOAT8E4M3FN")]
    [InlineData(DataType.Undefined, "UNDEFINED")]
    [InlineData((DataType)99, "unknown type code 99")]
    public void Other_element_types_are_refused_by_name(DataType type, string name)
    {
        var t = Tensor(type, 1);
        t.RawData = ByteString.CopyFrom(new byte[8]);

        Assert.Contains($"tensor 't' has element type {name}", DecodeFails(t).Message);
    }

    [Fact]
    public void Tensor_still_marked_external_is_refused()
    {
        var t = Tensor(DataType.Float, 1);
        t.DataLocation = TensorProto.Types.DataLocation.External;

        Assert.Contains("still refers to external data", DecodeFails(t).Message);
    }

    [Theory]
    [InlineData(DataType.Int8, 128, "outside the range of INT8 (-128..127)")]
    [InlineData(DataType.Uint8, -1, "outside the range of UINT8 (0..255)")]
    [InlineData(DataType.Bool, 2, "outside the range of BOOL (0..1)")]
    [InlineData(DataType.Float16, 70000, "outside the range of FLOAT16 (0..65535)")]
    public void Int32_data_outside_the_narrow_type_is_refused(DataType type, int stored, string expected)
    {
        var t = Tensor(type, 1);
        t.Int32Data.Add(stored);

        Assert.Contains(expected, DecodeFails(t).Message);
    }

    [Fact]
    public void Unnamed_tensor_is_described_as_such()
    {
        var t = Tensor(DataType.Float, -1);
        t.Name = "";

        Assert.Contains("an unnamed tensor has a negative dimension", DecodeFails(t).Message);
    }

    [Theory]
    [InlineData(DataType.Int32, 1.5)]
    [InlineData(DataType.Uint8, 256)]
    [InlineData(DataType.Bool, 2)]
    [InlineData(DataType.Int64, double.NaN)]
    public void Encoding_a_value_the_integer_type_cannot_hold_is_refused(DataType type, double value)
    {
        var e = Assert.Throws<ArgumentException>(() => TensorCodec.Encode("w", new HostTensor(type, [1], [value])));

        Assert.Contains("tensor 'w'", e.Message);
    }

    [Fact]
    public void Encoding_a_string_tensor_is_refused()
    {
        Assert.Throws<ArgumentException>(() => TensorCodec.Encode("s", new HostTensor(DataType.String, [1], [0])));
    }

    [Fact]
    public void Bfloat16_encoding_rounds_to_nearest_even()
    {
        // 1 + 2^-8 lies halfway between bfloat16 neighbours 1 and 1 + 2^-7; the even one is 1.
        // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6; the even one is 1 + 2^-6.
        var t = TensorCodec.Encode("b", new HostTensor(DataType.Bfloat16, [2], [1 + 1.0 / 256, 1 + 3.0 / 256]));

        Assert.Equal([1.0, 1 + 1.0 / 64], TensorCodec.Decode(t, File).Values);
    }
}
