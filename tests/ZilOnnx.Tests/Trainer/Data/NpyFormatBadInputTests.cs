using Xunit;
using System.Buffers.Binary;
using System.Text;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>Every malformed .npy must end in a DataFormatException that names the file and the problem.</summary>
public class NpyFormatBadInputTests
{
    private static DataFormatException ReadFails(byte[] bytes, string fileName = "bad.npy", bool seekable = true)
    {
        Stream stream = seekable ? new MemoryStream(bytes) : new NonSeekableStream(new MemoryStream(bytes));
        var error = Assert.Throws<DataFormatException>(() => NpyFormat.Read(stream, fileName));
        Assert.StartsWith($"{fileName}: ", error.Message);
        return error;
    }

    [Fact]
    public void AFileWithoutTheMagicStringIsNotAnNpyFile()
    {
        var error = ReadFails(Encoding.ASCII.GetBytes("PK\u0003\u0004 this is a zip, not an array"));

        Assert.Contains("not a NumPy .npy file: expected the magic string \\x93NUMPY, found PK\\x03\\x04", error.Message);
    }

    [Fact]
    public void AnEmptyFileIsNotAnNpyFile()
    {
        var error = ReadFails([]);

        Assert.Contains("not a NumPy .npy file", error.Message);
        Assert.Contains("found an empty file", error.Message);
    }

    [Fact]
    public void AnUnknownFormatVersionIsRefused()
    {
        var error = ReadFails(NpyTestFiles.RawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", new byte[4], majorVersion: 4));

        Assert.Contains("unsupported .npy format version 4.0: expected 1.0, 2.0 or 3.0", error.Message);
    }

    [Theory]
    [InlineData("[1, 2, 3]\n")]
    [InlineData("'descr'\n")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, \n")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } trailing\n")]
    [InlineData("{'descr': __import__('os'), }\n")]
    public void AHeaderThatIsNotADictIsRefused(string header)
    {
        var error = ReadFails(NpyTestFiles.RawNpy(header, new byte[24]));

        Assert.Contains("header is not a Python dict literal", error.Message);
    }

    [Fact]
    public void AHeaderWithoutShapeIsRefused()
    {
        var error = ReadFails(NpyTestFiles.RawNpy("{'descr': '<f4', 'fortran_order': False}\n", new byte[4]));

        Assert.Contains("header has no 'shape' key", error.Message);
    }

    [Theory]
    [InlineData("<c8")]
    [InlineData("<U5")]
    [InlineData("<M8[ns]")]
    [InlineData("<f16")]
    [InlineData("V8")]
    public void AnUnknownDtypeIsRefusedAndTheSupportedOnesAreListed(string descr)
    {
        var error = ReadFails(NpyTestFiles.RawNpy(descr, "(1,)", new byte[16]));

        Assert.Contains($"unsupported dtype '{descr}'", error.Message);
        Assert.Contains("expected one of '<f2' '<f4' '<f8'", error.Message);
    }

    [Fact]
    public void AStructuredDtypeIsRefused()
    {
        var error = ReadFails(NpyTestFiles.RawNpy("{'descr': [('a', '<f4'), ('b', '<i8')], 'fortran_order': False, 'shape': (1,), }\n", new byte[12]));

        Assert.Contains("structured (record) arrays cannot be read", error.Message);
    }

    [Fact]
    public void AnObjectArrayIsRefusedWithoutUnpickling()
    {
        var error = ReadFails(NpyTestFiles.RawNpy("|O", "(2,)", Encoding.ASCII.GetBytes("\u0080\u0004pickled...")));

        Assert.Contains("dtype '|O' is an object array", error.Message);
    }

    [Fact]
    public void ANegativeDimensionIsRefused()
    {
        var error = ReadFails(NpyTestFiles.RawNpy("<f4", "(2, -3)", new byte[24]));

        Assert.Contains("negative dimension", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DataShorterThanTheHeaderSaysIsRefused(bool seekable)
    {
        var error = ReadFails(NpyTestFiles.RawNpy("<f4", "(2, 3)", new byte[10]), seekable: seekable);

        Assert.Contains("data is shorter than the header says: expected 24 bytes for shape (2, 3) of dtype '<f4', found 10", error.Message);
    }

    [Fact]
    public void AnElementCountThatOverflowsIsRefused()
    {
        var error = ReadFails(NpyTestFiles.RawNpy("<f8", "(4294967296, 4294967296, 4)", new byte[8]));

        Assert.Contains("has more elements than a 64-bit count can hold", error.Message);
    }

    [Fact]
    public void AnElementCountBeyondOneArrayIsRefused()
    {
        var error = ReadFails(NpyTestFiles.RawNpy("|u1", "(3000000000,)", new byte[8]));

        Assert.Contains($"holds 3000000000 elements: expected at most {Array.MaxLength}", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AHugeClaimedShapeInASmallFileFailsWithoutAllocatingForTheClaim(bool seekable)
    {
        // The header claims 200 million doubles (1.6 GB); the file holds 80 bytes of data.
        byte[] bytes = NpyTestFiles.RawNpy("<f8", "(200000000,)", new byte[80]);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = ReadFails(bytes, seekable: seekable);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("data is shorter than the header says: expected 1600000000 bytes", error.Message);
        Assert.Contains("found 80", error.Message);
        Assert.True(allocated < 1 << 20, $"reading allocated {allocated} bytes for an 80-byte payload");
    }

    [Fact]
    public void AHeaderLengthFieldBeyondTheFileIsRefused()
    {
        var bytes = NpyTestFiles.RawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", new byte[4], majorVersion: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 5000);

        var error = ReadFails(bytes);

        Assert.Contains("header is shorter than its length field says: expected 5000 bytes", error.Message);
    }

    [Fact]
    public void AnAbsurdHeaderLengthIsRefusedBeforeReading()
    {
        var bytes = NpyTestFiles.RawNpy("{}", [], majorVersion: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), uint.MaxValue);

        var error = ReadFails(bytes);

        Assert.Contains("header length field says 4294967295 bytes: expected at most", error.Message);
    }

    [Fact]
    public void AnInt64ThatADoubleCannotHoldIsRefusedRatherThanRounded()
    {
        var data = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8), (1L << 53) + 1);

        var error = ReadFails(NpyTestFiles.RawNpy("<i8", "(2,)", data));

        Assert.Contains("element 1 (9007199254740993) cannot be held exactly as a double", error.Message);
    }

    [Fact]
    public void AMissingFileIsADataFormatErrorNamingTheFile()
    {
        string path = Path.Combine(NpyTestFiles.ScratchFolder(), "absent.npy");

        var error = Assert.Throws<DataFormatException>(() => NpyFormat.Read(path));

        Assert.StartsWith($"{path}: cannot open the file", error.Message);
    }
}
