using Xunit;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>
/// Reads files written by NumPy 1.24 (tests/fixtures/npy/README.md has the command). Each holds a 2x3 array
/// built from a = arange(6): bool a % 3 == 0, floats (a - 2) / 3, signed integers (a - 2) * m, unsigned a * m,
/// with m chosen per type so that the values fill most of the type's range.
/// </summary>
public class NpyNumPyFixtureTests
{
    private static readonly Dictionary<string, double> Multipliers = new()
    {
        ["i1"] = 40, ["i2"] = 10000, ["i4"] = 700000000, ["i8"] = Math.Pow(2, 50),
        ["u1"] = 50, ["u2"] = 13000, ["u4"] = 850000000, ["u8"] = Math.Pow(2, 51),
    };

    private static double[] ExpectedValues(string kind) => Enumerable.Range(0, 6).Select(i => kind switch
    {
        "b1" => i % 3 == 0 ? 1.0 : 0.0,
        "f2" => (double)(Half)((i - 2) / 3.0),
        "f4" => (float)((i - 2) / 3.0),
        "f8" => (i - 2) / 3.0,
        _ when kind[0] == 'i' => (i - 2) * Multipliers[kind],
        _ => i * Multipliers[kind],
    }).ToArray();

    [Theory]
    [InlineData("b1.npy", "b1", DataType.Bool)]
    [InlineData("i1.npy", "i1", DataType.Int8)]
    [InlineData("u1.npy", "u1", DataType.Uint8)]
    [InlineData("le_i2.npy", "i2", DataType.Int16)]
    [InlineData("be_i2.npy", "i2", DataType.Int16)]
    [InlineData("le_i4.npy", "i4", DataType.Int32)]
    [InlineData("be_i4.npy", "i4", DataType.Int32)]
    [InlineData("le_i8.npy", "i8", DataType.Int64)]
    [InlineData("be_i8.npy", "i8", DataType.Int64)]
    [InlineData("le_u2.npy", "u2", DataType.Uint16)]
    [InlineData("be_u2.npy", "u2", DataType.Uint16)]
    [InlineData("le_u4.npy", "u4", DataType.Uint32)]
    [InlineData("be_u4.npy", "u4", DataType.Uint32)]
    [InlineData("le_u8.npy", "u8", DataType.Uint64)]
    [InlineData("be_u8.npy", "u8", DataType.Uint64)]
    [InlineData("le_f2.npy", "f2", DataType.Float16)]
    [InlineData("be_f2.npy", "f2", DataType.Float16)]
    [InlineData("le_f4.npy", "f4", DataType.Float)]
    [InlineData("be_f4.npy", "f4", DataType.Float)]
    [InlineData("le_f8.npy", "f8", DataType.Double)]
    [InlineData("be_f8.npy", "f8", DataType.Double)]
    public void ReadsEveryDtypeInBothByteOrders(string fixture, string kind, DataType expectedType)
    {
        HostTensor tensor = NpyFormat.Read(NpyTestFiles.Fixture(fixture));

        Assert.Equal(expectedType, tensor.ElementType);
        Assert.Equal([2L, 3L], tensor.Shape);
        Assert.Equal(ExpectedValues(kind), tensor.Values);
    }

    [Fact]
    public void FortranOrderIsReturnedInCOrder()
    {
        HostTensor tensor = NpyFormat.Read(NpyTestFiles.Fixture("fortran_f8.npy"));

        Assert.Equal([2L, 3L, 4L], tensor.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (double)i), tensor.Values);
    }

    [Fact]
    public void BigEndianFortranOrderIsConvertedInBothRespects()
    {
        HostTensor tensor = NpyFormat.Read(NpyTestFiles.Fixture("fortran_be_i4.npy"));

        Assert.Equal(DataType.Int32, tensor.ElementType);
        Assert.Equal([3L, 4L], tensor.Shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (double)i), tensor.Values);
    }

    [Theory]
    [InlineData("version2_f4.npy")]
    [InlineData("version3_f4.npy")]
    public void ReadsFormatVersions2And3(string fixture)
    {
        HostTensor tensor = NpyFormat.Read(NpyTestFiles.Fixture(fixture));

        Assert.Equal(DataType.Float, tensor.ElementType);
        Assert.Equal([2L, 3L], tensor.Shape);
        Assert.Equal([-2.0, -1, 0, 1, 2, 3], tensor.Values);
    }

    [Fact]
    public void ReadsAScalarAndAnEmptyArray()
    {
        HostTensor scalar = NpyFormat.Read(NpyTestFiles.Fixture("scalar_f8.npy"));
        HostTensor empty = NpyFormat.Read(NpyTestFiles.Fixture("empty_f4.npy"));

        Assert.Empty(scalar.Shape);
        Assert.Equal([2.5], scalar.Values);
        Assert.Equal([0L, 3L], empty.Shape);
        Assert.Empty(empty.Values);
    }
}
