using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>The progress line of a long image-folder listing: silent when quick, a few lines in a log, one line on a terminal.</summary>
public sealed class IndexingProgressTests
{
    /// <summary>A folder of two classes of empty .png files: listing reads names only, so their contents do not matter.</summary>
    private static string WriteFolder(TempDirectory temp, int perClass)
    {
        string folder = temp.File("set");
        foreach (string name in new[] { "a", "b" })
        {
            Directory.CreateDirectory(Path.Combine(folder, name));
            for (int i = 0; i < perClass; i++) File.WriteAllBytes(Path.Combine(folder, name, $"{i:D4}.png"), []);
        }
        return folder;
    }

    [Fact]
    public void A_noticeable_listing_writes_two_lines_at_most_when_not_on_a_terminal()
    {
        using var temp = new TempDirectory();
        string folder = WriteFolder(temp, perClass: 600);
        var log = new StringWriter();
        var layout = ImageFolderLayout.Find(folder, DataSplit.Train, new IndexingProgress(folder, log, inPlace: false) { FilesThreshold = 5 });

        Assert.Equal(1200, layout.Images.Count);
        string[] lines = log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"indexing {folder}: 5 images so far", lines[0]);
        Assert.StartsWith($"indexed {folder}: 1200 images in 2 classes", lines[1]);
        Assert.DoesNotContain("\r", log.ToString());
    }

    [Fact]
    public void On_a_terminal_the_line_is_rewritten_in_place_and_ends_with_the_count()
    {
        using var temp = new TempDirectory();
        string folder = WriteFolder(temp, perClass: 10);
        var screen = new StringWriter();
        ImageFolderLayout.Find(folder, DataSplit.Train, new IndexingProgress(folder, screen, inPlace: true) { FilesThreshold = 5 });

        string text = screen.ToString();
        Assert.StartsWith("\r", text);
        Assert.Single(text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"indexed {folder}: 20 images in 2 classes", text);
    }

    [Fact]
    public void A_quick_listing_says_nothing()
    {
        using var temp = new TempDirectory();
        string folder = WriteFolder(temp, perClass: 10);
        var log = new StringWriter();
        ImageFolderLayout.Find(folder, DataSplit.Train, new IndexingProgress(folder, log, inPlace: false));
        Assert.Equal("", log.ToString());
    }
}
