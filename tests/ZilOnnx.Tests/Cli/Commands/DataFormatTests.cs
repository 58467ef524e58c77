using System.IO.Compression;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// Every DATA form, through the real program: an .npz, a pair of .npy files (as a pair or as a folder), an IDX
/// folder plain and gzipped, and the name fashion-mnist. Each feeds the same LeNet-5 one verified float64 step.
/// </summary>
public sealed class DataFormatTests
{
    private static CliProcess.Result VerifyOneStep(string data) => CliProcess.Run("verify", Fixtures.PathOf("lenet5.onnx"), "--data", data,
        "--loss", "ce", "--batch-size", "8", "--precision", "float64", "--no-shuffle");

    private static void AssertPassed(CliProcess.Result run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("PASSED", run.Output);
    }

    [Fact]
    public void An_npz_with_x_and_y() => AssertPassed(VerifyOneStep(Fixtures.PathOf("lenet5.ce.npz")));

    [Fact]
    public void A_pair_of_npy_files_given_as_a_pair_or_as_a_folder()
    {
        using var temp = new TempDirectory();
        var arrays = Fixtures.Arrays("lenet5.ce.npz");
        NpyFormat.Write(temp.File("x.npy"), arrays["x"]);
        NpyFormat.Write(temp.File("y.npy"), arrays["y"]);
        AssertPassed(VerifyOneStep($"{temp.File("x.npy")},{temp.File("y.npy")}"));
        AssertPassed(VerifyOneStep(temp.Path));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_idx_folder_gzipped_or_plain(bool gzipped)
    {
        using var temp = new TempDirectory();
        foreach (string gz in Directory.GetFiles(FashionMnistLookup.EmbeddedFolder, "*.gz"))
        {
            string name = Path.GetFileName(gz);
            if (gzipped) File.Copy(gz, temp.File(name));
            else
            {
                using var source = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
                using var target = File.Create(temp.File(Path.GetFileNameWithoutExtension(name)));
                source.CopyTo(target);
            }
        }
        AssertPassed(VerifyOneStep(temp.Path));
    }

    [Fact]
    public void The_name_fashion_mnist() => AssertPassed(VerifyOneStep("fashion-mnist"));

    [Fact]
    public void A_missing_half_of_an_npy_pair_is_named()
    {
        using var temp = new TempDirectory();
        NpyFormat.Write(temp.File("x.npy"), Fixtures.Arrays("lenet5.ce.npz")["x"]);
        var run = VerifyOneStep($"{temp.File("x.npy")},{temp.File("labels.npy")}");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("labels.npy: no such .npy file", run.Error);
    }
}
