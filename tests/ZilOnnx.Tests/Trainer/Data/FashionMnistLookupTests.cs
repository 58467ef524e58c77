using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>`--data fashion-mnist`: the installed set when there is one, else the subset that ships with the program.</summary>
public sealed class FashionMnistLookupTests
{
    [Fact]
    public void Without_an_installed_set_the_embedded_subset_stands_in_and_says_so()
    {
        using var empty = new TempDirectory();
        string found = FashionMnistLookup.Find([empty.Path], FashionMnistLookup.EmbeddedFolder, out string? notice);
        Assert.Equal(FashionMnistLookup.EmbeddedFolder, found);
        Assert.NotNull(notice);
        Assert.Contains("embedded subset", notice);
        Assert.Contains("apt-get install dataset-fashion-mnist", notice);
    }

    [Fact]
    public void An_installed_set_is_preferred_without_a_notice()
    {
        using var installed = new TempDirectory();
        File.WriteAllBytes(installed.File("train-images-idx3-ubyte.gz"), []);
        string found = FashionMnistLookup.Find([installed.Path], FashionMnistLookup.EmbeddedFolder, out string? notice);
        Assert.Equal(installed.Path, found);
        Assert.Null(notice);
    }

    [Fact]
    public void With_neither_the_error_names_every_place_looked_in()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnistLookup.Find([a.Path], b.Path, out _));
        Assert.Contains(a.Path, e.Message);
        Assert.Contains(b.Path, e.Message);
    }

    [Theory]
    [InlineData(DataSplit.Train, 4000)]
    [InlineData(DataSplit.Test, 1000)]
    public void The_embedded_subset_is_a_readable_ten_class_data_set(DataSplit split, int count)
    {
        var set = DataSources.Load(FashionMnistLookup.EmbeddedFolder, split, "x", [null, 1, 28, 28]);
        Assert.Equal([count, 1, 28, 28], set.Inputs.Shape);
        Assert.Equal(Enumerable.Range(0, 10).Select(c => (byte)c), ((SampleArray<byte>)set.Targets).Values.Distinct().Order());
        var all = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        Assert.InRange(((float[])set.Inputs.Gather(all, TorchSharp.torch.ScalarType.Float32)).Max(), 0.9, 1.0);
    }
}
