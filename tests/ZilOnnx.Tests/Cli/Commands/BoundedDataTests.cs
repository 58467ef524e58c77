using System.Buffers.Binary;
using System.IO.Compression;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Tests.Trainer.Data;
using ZilOnnx.Trainer.Data;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// Data whose headers declare more than can or should be held, and data that are not files: each is refused before
/// anything is allocated or inflated, with exit code 2 and one line naming the file and the array. The zip bomb is the
/// issue's own, built here (about 7 s): an .npz of 4.5 MB whose deflated x.npy declares 1,500,000 x 1 x 28 x 28
/// float32 zeros, 4.7 GB. Allocation is measured in the process as the bytes this thread allocates
/// (GC.GetAllocatedBytesForCurrentThread, exact for the synchronous load): a refusal costs the headers, not the data.
/// </summary>
public sealed class BoundedDataTests(BoundedDataTests.ZipBomb bomb) : IClassFixture<BoundedDataTests.ZipBomb>
{
    private static string Model => Repository.PathOf("models", "lenet5-fashion.onnx");

    /// <summary>What reading headers, a zip directory and building a message may allocate: far below any data.</summary>
    private const long HeaderCost = 16 << 20;

    private static CliProcess.Result Finetune(string data, params string[] more) =>
        CliProcess.Run(TimeSpan.FromMinutes(1), ["finetune", Model, "--data", data, "--steps", "1", "-o", Path.Combine(Path.GetTempPath(), $"never-{Guid.NewGuid():N}.onnx"), .. more]);

    private static string OneErrorLine(CliProcess.Result run, int exitCode)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.DoesNotContain("step 1", run.Output);
        return Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_zip_bomb_is_refused_for_its_inflation_without_being_inflated()
    {
        string line = OneErrorLine(Finetune(bomb.Path), 2);
        Assert.StartsWith($"error: {bomb.Path}, array 'x': the array declares 1500000 x 1 x 28 x 28 float32 (4.7 GB) in ", line);
        Assert.Contains("of compressed data, over 100 times as much: a zip bomb", line);
        Assert.True(new FileInfo(bomb.Path).Length < 6_000_000, "the bomb is the issue's, about 4.5 MB");

        long allocated = Allocated(() => Assert.Throws<DataFormatException>(() => DataSources.Load(bomb.Path, DataSplit.Train, "x", [null, 1, 28, 28])));
        Assert.True(allocated < HeaderCost, $"refusing the bomb allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_zip_bomb_over_a_given_budget_is_refused_for_the_budget()
    {
        string line = OneErrorLine(Finetune(bomb.Path, "--max-data-gb", "2"), 2);
        Assert.Equal($"error: {bomb.Path}, array 'x': the array declares 1500000 x 1 x 28 x 28 float32 (4.7 GB), over the data budget of 2 GB (--max-data-gb)", line);

        long allocated = Allocated(() => Assert.Throws<DataFormatException>(() =>
            DataSources.Load(bomb.Path, DataSplit.Train, "x", [null, 1, 28, 28], budget: DataBudget.Of(2))));
        Assert.True(allocated < HeaderCost, $"refusing the bomb allocated {allocated:N0} bytes");
    }

    [Fact]
    public void An_npy_header_declaring_more_than_the_machine_has_is_refused_before_its_data_are_read()
    {
        using var temp = new TempDirectory();
        string x = temp.File("x.npy"), y = temp.File("y.npy");
        File.WriteAllBytes(x, NpyTestFiles.RawNpy("<f4", "(1000000000000, 1, 28, 28)", new byte[64]));
        File.WriteAllBytes(y, NpyTestFiles.RawNpy("<i8", "(1000000000000,)", new byte[64]));

        string line = OneErrorLine(Finetune($"{x},{y}"), 2);
        Assert.StartsWith($"error: {x}, array 'x': the array declares 1000000000000 x 1 x 28 x 28 float32 (3136 TB), over the data budget of ", line);
        Assert.EndsWith("(the memory available now; --max-data-gb sets another)", line);

        long allocated = Allocated(() => Assert.Throws<DataFormatException>(() => DataSources.Load($"{x},{y}", DataSplit.Train, "x", [null, 1, 28, 28])));
        Assert.True(allocated < HeaderCost, $"refusing the header allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Real_data_over_a_small_budget_are_refused_and_fit_a_larger_one()
    {
        // The subset's 4,000 training images are 3.1 MB of uint8.
        string line = OneErrorLine(CliProcess.Run("verify", Model, "--data", FashionMnistLookup.EmbeddedFolder, "--batch-size", "8", "--max-data-gb", "0.001"), 2);
        Assert.Equal($"error: {Path.Combine(FashionMnistLookup.EmbeddedFolder, "train-images-idx3-ubyte.gz")}, array 'x': the array declares " +
                     "4000 x 28 x 28 uint8 (3.1 MB), over the data budget of 1 MB (--max-data-gb)", line);
        var run = CliProcess.Run("verify", Model, "--data", FashionMnistLookup.EmbeddedFolder, "--batch-size", "8", "--max-data-gb", "0.01");
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public void A_member_inflates_no_further_than_its_zip_entry_declares()
    {
        using var temp = new TempDirectory();
        string path = temp.File("liar.npz");
        var x = new HostTensor(DataType.Float, [32, 1, 28, 28], new double[32 * 784]);
        var y = new HostTensor(DataType.Int64, [32], new double[32]);
        NpzArchive.Write(path, new Dictionary<string, HostTensor> { ["x"] = x, ["y"] = y }, compress: true);
        // The zip says x.npy inflates to 1,000 bytes; its .npy header declares 100,352 data bytes, and they are there.
        SetUncompressedSize(path, "x.npy", 1000);

        string line = OneErrorLine(Finetune(path, "--batch-size", "8"), 2);
        Assert.Equal($"error: {path}, array 'x': data is shorter than the header says: expected 100352 bytes for shape (32, 1, 28, 28) " +
                     "of dtype '<f4', found 872", line);
    }

    [Fact]
    public void Pipes_and_devices_are_refused_as_data_without_waiting_for_a_writer()
    {
        using var temp = new TempDirectory();
        string fifo = Fifo.Make(temp.File("data.npz"));
        string expected = "the file is empty, or a pipe or a device (which have no size): expected a data file";

        Assert.Equal($"error: {fifo}: {expected}", OneErrorLine(Finetune(fifo), 2));
        Assert.Equal($"error: /dev/zero: {expected}", OneErrorLine(Finetune("/dev/zero"), 2));
        Assert.Equal($"error: {fifo}: {expected}", OneErrorLine(Finetune(Fixtures.PathOf("lenet5.ce.npz"), "--val-data", fifo), 2));
        Assert.Equal($"error: {fifo}: {expected}", OneErrorLine(CliProcess.Run(TimeSpan.FromMinutes(1), "run", Model, "--data", fifo, "-o", temp.File("out.npz")), 2));
        Assert.False(File.Exists(temp.File("out.npz")));

        // A pipe inside an IDX folder, and an .npy pair half of which is a pipe.
        string idx = Directory.CreateDirectory(temp.File("idx")).FullName;
        string images = Fifo.Make(Path.Combine(idx, "train-images-idx3-ubyte"));
        File.Copy(Path.Combine(FashionMnistLookup.EmbeddedFolder, "train-labels-idx1-ubyte.gz"), Path.Combine(idx, "train-labels-idx1-ubyte.gz"));
        Assert.Equal($"error: {images}: {expected}", OneErrorLine(Finetune(idx), 2));
        string labels = Fifo.Make(temp.File("y.npy"));
        NpyFormat.Write(temp.File("x.npy"), Fixtures.Arrays("lenet5.ce.npz")["x"]);
        Assert.Equal($"error: {labels}: {expected}", OneErrorLine(Finetune($"{temp.File("x.npy")},{labels}"), 2));
    }

    [Theory]
    [InlineData("finetune", "0")]
    [InlineData("verify", "-1")]
    [InlineData("bench", "nan")]
    [InlineData("eval", "1e400")]
    [InlineData("run", "-0.5")]
    public void Every_command_that_reads_data_takes_max_data_gb_as_positive_finite_gigabytes(string command, string value)
    {
        string[] arguments = command switch
        {
            "finetune" => ["finetune", Model, "--data", "fashion-mnist", "-o", "never.onnx"],
            "run" => ["run", Model, "--data", Fixtures.PathOf("lenet5.ce.npz"), "-o", "never.npz"],
            _ => [command, Model, "--data", "fashion-mnist"],
        };
        var run = CliProcess.Run([.. arguments, "--max-data-gb", value]);
        string line = OneErrorLine(run, 1);
        Assert.StartsWith("error: --max-data-gb must be a positive number of gigabytes, got ", line);
    }

    private static long Allocated(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Rewrites a member's uncompressed size in the zip's local header and central directory (both 32-bit fields).</summary>
    private static void SetUncompressedSize(string path, string member, uint size)
    {
        byte[] zip = File.ReadAllBytes(path);
        byte[] name = System.Text.Encoding.ASCII.GetBytes(member);
        for (int i = 0; i + 4 <= zip.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            (int nameAt, int sizeAt) = signature switch { 0x04034b50 => (30, 22), 0x02014b50 => (46, 24), _ => (-1, -1) };
            if (nameAt < 0 || i + nameAt + name.Length > zip.Length || !zip.AsSpan(i + nameAt, name.Length).SequenceEqual(name)) continue;
            BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + sizeAt), size);
        }
        File.WriteAllBytes(path, zip);
    }

    /// <summary>The issue's zip bomb, built once for the class in a folder of its own.</summary>
    public sealed class ZipBomb : IDisposable
    {
        private const long Samples = 1_500_000;
        private readonly TempDirectory _folder = new();

        public ZipBomb()
        {
            Path = _folder.File("bomb.npz");
            Write(Path);
        }

        public string Path { get; }

        /// <summary>Writes the bomb to <paramref name="path"/>: 4.5 MB that declare 4.7 GB of float32 zeros.</summary>
        public static void Write(string path)
        {
            using var file = File.Create(path);
            using var zip = new ZipArchive(file, ZipArchiveMode.Create);
            WriteZeros(zip, "x.npy", "<f4", $"({Samples}, 1, 28, 28)", Samples * 784 * 4);
            WriteZeros(zip, "y.npy", "<i8", $"({Samples},)", Samples * 8);
        }

        private static void WriteZeros(ZipArchive zip, string member, string descr, string shape, long bytes)
        {
            using var stream = zip.CreateEntry(member, CompressionLevel.Optimal).Open();
            stream.Write(NpyTestFiles.RawNpy(descr, shape, []));
            var zeros = new byte[1 << 22];
            for (long left = bytes; left > 0; left -= zeros.Length) stream.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
        }

        public void Dispose() => _folder.Dispose();
    }
}
