using Xunit;
using System.Text;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Trainer.Data;

public class NpyFormatRoundTripTests
{
    /// <summary>Each element type with values at the edges of its range (and the special floats).</summary>
    public static TheoryData<DataType, string, double[]> EveryDtype() => new()
    {
        { DataType.Float, "<f4", [0, -0.0, 1.5, float.MaxValue, float.Epsilon, double.NaN, double.PositiveInfinity, (float)(1 / 3.0)] },
        { DataType.Double, "<f8", [0, -0.0, 1 / 3.0, double.MaxValue, double.Epsilon, double.NaN, double.NegativeInfinity, 1e-300] },
        { DataType.Float16, "<f2", [0, -0.5, 65504, (double)Half.Epsilon, double.NaN, double.PositiveInfinity, (double)(Half)(1 / 3.0), 2] },
        { DataType.Int8, "|i1", [sbyte.MinValue, sbyte.MaxValue, -1, 0, 1, 2, 3, 4] },
        { DataType.Int16, "<i2", [short.MinValue, short.MaxValue, -1, 0, 1, 256, -256, 4] },
        { DataType.Int32, "<i4", [int.MinValue, int.MaxValue, -1, 0, 1, 65536, -65536, 4] },
        { DataType.Int64, "<i8", [-(1L << 53), 1L << 53, long.MinValue, -1, 0, 1, 1L << 62, 3] },
        { DataType.Uint8, "|u1", [0, 255, 1, 128, 7, 8, 9, 10] },
        { DataType.Uint16, "<u2", [0, ushort.MaxValue, 1, 256, 7, 8, 9, 10] },
        { DataType.Uint32, "<u4", [0, uint.MaxValue, 1, 65536, 7, 8, 9, 10] },
        { DataType.Uint64, "<u8", [0, 1L << 53, 1, (double)(1UL << 63), 7, 8, 9, 10] },
        { DataType.Bool, "|b1", [0, 1, 1, 0, 0, 0, 1, 1] },
    };

    [Theory]
    [MemberData(nameof(EveryDtype))]
    public void EveryDtypeRoundTripsThroughAStreamWithItsElementTypeAndDescriptor(DataType type, string descriptor, double[] values)
    {
        var original = new HostTensor(type, [2, 2, 2], values);
        var stream = new MemoryStream();
        NpyFormat.Write(stream, original, "memory.npy");

        byte[] bytes = stream.ToArray();
        string header = Encoding.Latin1.GetString(bytes, 10, bytes[8] | bytes[9] << 8);
        Assert.Contains($"'descr': '{descriptor}'", header);
        Assert.Contains("'shape': (2, 2, 2)", header);
        Assert.Equal(0, (10 + header.Length) % 64); // data aligned like NumPy's own files
        Assert.EndsWith("\n", header);

        stream.Position = 0;
        HostTensor read = NpyFormat.Read(stream, "memory.npy");
        Assert.Equal(type, read.ElementType);
        Assert.Equal(original.Shape, read.Shape);
        Assert.Equal(values, read.Values);
        Assert.Equal(stream.Length, stream.Position);
    }

    [Theory]
    [InlineData(new long[0])]
    [InlineData(new long[] { 5 })]
    [InlineData(new long[] { 0, 3 })]
    [InlineData(new long[] { 2, 3, 4, 1 })]
    public void ShapesOfAnyRankRoundTripThroughAFile(long[] shape)
    {
        long count = HostTensor.ElementCount(shape);
        var original = new HostTensor(DataType.Double, shape, Enumerable.Range(0, (int)count).Select(i => i * 0.5).ToArray());
        string path = Path.Combine(NpyTestFiles.ScratchFolder(), "a.npy");

        NpyFormat.Write(path, original);
        HostTensor read = NpyFormat.Read(path);

        Assert.Equal(shape, read.Shape);
        Assert.Equal(original.Values, read.Values);
    }

    [Theory]
    [InlineData("le_f4.npy")]
    [InlineData("le_f8.npy")]
    [InlineData("le_f2.npy")]
    [InlineData("le_i8.npy")]
    [InlineData("le_u4.npy")]
    [InlineData("i1.npy")]
    [InlineData("u1.npy")]
    [InlineData("b1.npy")]
    [InlineData("scalar_f8.npy")]
    [InlineData("empty_f4.npy")]
    public void WritingWhatNumPyWroteReproducesNumPysBytes(string fixture)
    {
        string path = NpyTestFiles.Fixture(fixture);
        var written = new MemoryStream();

        NpyFormat.Write(written, NpyFormat.Read(path), "memory.npy");

        Assert.Equal(File.ReadAllBytes(path), written.ToArray());
    }

    [Fact]
    public void ALongHeaderSwitchesToVersion2()
    {
        // 30,000 dimensions of size 1 ("1, " each) need a header longer than version 1.0's 16-bit length field.
        long[] shape = Enumerable.Repeat(1L, 30_000).ToArray();
        var stream = new MemoryStream();

        NpyFormat.Write(stream, new HostTensor(DataType.Float, shape, [4.5]), "memory.npy");

        Assert.Equal(2, stream.ToArray()[6]);
        stream.Position = 0;
        HostTensor read = NpyFormat.Read(stream, "memory.npy");
        Assert.Equal(shape, read.Shape);
        Assert.Equal([4.5], read.Values);
    }

    [Theory]
    [InlineData(DataType.Int64, 1.5)]
    [InlineData(DataType.Uint8, 256)]
    [InlineData(DataType.Uint8, -1)]
    [InlineData(DataType.Int32, double.NaN)]
    [InlineData(DataType.Bool, 2)]
    public void WritingAValueTheTypeCannotHoldIsRefused(DataType type, double value)
    {
        var tensor = new HostTensor(type, [2], [0, value]);

        var error = Assert.Throws<DataFormatException>(() => NpyFormat.Write(new MemoryStream(), tensor, "out.npy"));

        Assert.StartsWith("out.npy: ", error.Message);
        Assert.Contains("flat index 1", error.Message);
    }

    [Fact]
    public void WritingAnElementTypeWithoutANumPyDtypeIsRefused()
    {
        var tensor = new HostTensor(DataType.Bfloat16, [1], [1]);

        var error = Assert.Throws<DataFormatException>(() => NpyFormat.Write(new MemoryStream(), tensor, "out.npz", "y"));

        Assert.StartsWith("out.npz, array 'y': element type BFLOAT16 has no .npy dtype", error.Message);
    }
}
