using Xunit;
using System.IO.Compression;
using System.Text;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Trainer.Data;

public class NpzArchiveTests
{
    [Fact]
    public void ReadsAStoredArchiveFromNumPyInArchiveOrder()
    {
        var arrays = NpzArchive.Read(NpyTestFiles.Fixture("xya.npz"));

        Assert.Equal(["x", "y", "a"], arrays.Keys);
        Assert.Equal(DataType.Float, arrays["x"].ElementType);
        Assert.Equal([2L, 3L], arrays["x"].Shape);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1, 1.25], arrays["x"].Values);
        Assert.Equal(DataType.Int64, arrays["y"].ElementType);
        Assert.Equal([2.0, 0], arrays["y"].Values);
        Assert.Equal(DataType.Bool, arrays["a"].ElementType);
        Assert.Empty(arrays["a"].Shape);
        Assert.Equal([1.0], arrays["a"].Values);
    }

    [Fact]
    public void ReadsADeflatedArchiveFromNumPy()
    {
        var arrays = NpzArchive.Read(NpyTestFiles.Fixture("xy_compressed.npz"));

        Assert.Equal(["x", "y"], arrays.Keys);
        Assert.Equal(DataType.Double, arrays["x"].ElementType);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1, 1.25], arrays["x"].Values);
        Assert.Equal([1.0, 0], arrays["y"].Values);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WrittenArchivesReadBackInTheSameOrder(bool compress)
    {
        string path = Path.Combine(NpyTestFiles.ScratchFolder(), "out.npz");
        var arrays = new OrderedDictionary<string, HostTensor>
        {
            ["z"] = new(DataType.Float, [2, 2], [1, 2, 3, 4]),
            ["x"] = new(DataType.Int64, [3], [-1, 0, 1L << 40]),
            ["m"] = new(DataType.Bool, [], [1]),
        };

        NpzArchive.Write(path, arrays, compress);
        var read = NpzArchive.Read(path);

        Assert.Equal(["z", "x", "m"], read.Keys);
        foreach ((string name, HostTensor expected) in arrays)
        {
            Assert.Equal(expected.ElementType, read[name].ElementType);
            Assert.Equal(expected.Shape, read[name].Shape);
            Assert.Equal(expected.Values, read[name].Values);
        }
        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(["z.npy", "x.npy", "m.npy"], zip.Entries.Select(e => e.FullName));
    }

    [Fact]
    public void WritingReplacesAnExistingFileAndLeavesNoTemporaryFile()
    {
        string folder = NpyTestFiles.ScratchFolder();
        string path = Path.Combine(folder, "out.npz");
        File.WriteAllText(path, "old contents");

        NpzArchive.Write(path, new Dictionary<string, HostTensor> { ["y"] = HostTensor.Int64Vector(7) });

        Assert.Equal([7.0], NpzArchive.Read(path)["y"].Values);
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Fact]
    public void AFailedWriteKeepsTheOldFileAndLeavesNoTemporaryFile()
    {
        string folder = NpyTestFiles.ScratchFolder();
        string path = Path.Combine(folder, "out.npz");
        File.WriteAllText(path, "old contents");
        var arrays = new Dictionary<string, HostTensor>
        {
            ["x"] = new(DataType.Float, [1], [1]),
            ["y"] = new(DataType.Int64, [1], [0.5]), // not an integer: the write must fail
        };

        var error = Assert.Throws<DataFormatException>(() => NpzArchive.Write(path, arrays));

        Assert.StartsWith($"{path}, array 'y': ", error.Message);
        Assert.Equal("old contents", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Fact]
    public void AFileThatIsNotAZipIsRefused()
    {
        string path = Path.Combine(NpyTestFiles.ScratchFolder(), "data.npz");
        File.WriteAllText(path, "x,y\n1,2\n");

        var error = Assert.Throws<DataFormatException>(() => NpzArchive.Read(path));

        Assert.StartsWith($"{path}: not an .npz archive: expected a zip file of NAME.npy members", error.Message);
    }

    [Fact]
    public void ABadMemberIsReportedWithItsArrayName()
    {
        string path = WriteZip(("x.npy", NpyTestFiles.RawNpy("<f4", "(2, 3)", new byte[10])));

        var error = Assert.Throws<DataFormatException>(() => NpzArchive.Read(path));

        Assert.StartsWith($"{path}, array 'x': data is shorter than the header says: expected 24 bytes", error.Message);
    }

    [Fact]
    public void AMemberThatIsNotAnArrayIsRefused()
    {
        string path = WriteZip(("x.npy", NpyTestFiles.RawNpy("<f4", "(1,)", new byte[4])), ("notes.txt", "hello"u8.ToArray()));

        var error = Assert.Throws<DataFormatException>(() => NpzArchive.Read(path));

        Assert.Contains("member 'notes.txt' is not an array: expected only NAME.npy members", error.Message);
    }

    [Fact]
    public void ADeflatedMemberClaimingAHugeShapeFailsWithoutAllocatingForTheClaim()
    {
        string path = WriteZip(("x.npy", NpyTestFiles.RawNpy("<f8", "(200000000,)", new byte[800])));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(() => NpzArchive.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("array 'x': data is shorter than the header says: expected 1600000000 bytes", error.Message);
        Assert.True(allocated < 4 << 20, $"reading allocated {allocated} bytes for an 800-byte payload");
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public void AnInvalidArrayNameIsRefused(string name)
    {
        string path = Path.Combine(NpyTestFiles.ScratchFolder(), "out.npz");

        var error = Assert.Throws<DataFormatException>(() =>
            NpzArchive.Write(path, new Dictionary<string, HostTensor> { [name] = HostTensor.Int64Vector(1) }));

        Assert.Contains("invalid array name", error.Message);
        Assert.False(File.Exists(path));
    }

    private static string WriteZip(params (string Name, byte[] Bytes)[] members)
    {
        string path = Path.Combine(NpyTestFiles.ScratchFolder(), "data.npz");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach ((string name, byte[] bytes) in members)
        {
            using Stream entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
            entry.Write(bytes);
        }
        return path;
    }
}
