using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>
/// Fashion-MNIST test images (the subset that ships with the program) written as PNGs at test time, one subfolder per
/// class, named so that their ordinal order is the label order: "0-T-shirt_top", "1-Trouser", ...
/// </summary>
public static class FashionImages
{
    public const int Side = 28;

    public static readonly IReadOnlyList<string> ClassNames =
        ["0-T-shirt_top", "1-Trouser", "2-Pullover", "3-Dress", "4-Coat", "5-Sandal", "6-Shirt", "7-Sneaker", "8-Bag", "9-Ankle boot"];

    /// <summary>An image written, with its label and its pixels (height x width bytes).</summary>
    public sealed record Image(string File, int Label, byte[] Pixels);

    /// <summary>The first <paramref name="perClass"/> test images of each class in <paramref name="folder"/>/CLASS/NNNNN.png.</summary>
    public static IReadOnlyList<Image> Write(string folder, int perClass)
    {
        var test = DataSources.Load(FashionMnistLookup.EmbeddedFolder, DataSplit.Test, "x", [null, 1, Side, Side]);
        var pixels = ((SampleArray<byte>)test.Inputs).Values;
        var written = new List<Image>();
        var counts = new int[ClassNames.Count];
        for (int i = 0; i < test.Count && counts.Any(c => c < perClass); i++)
        {
            int label = (int)test.Targets.ValueAt(i);
            if (counts[label]++ >= perClass) continue;
            var image = pixels.AsSpan(i * Side * Side, Side * Side).ToArray();
            string file = Path.Combine(folder, ClassNames[label], $"{i:D5}.png");
            ImageFiles.WriteGrayPng(file, image, Side, Side);
            written.Add(new Image(file, label, image));
        }
        // The order `run` reads a folder in: ordinal order of the paths.
        return [.. written.OrderBy(w => w.File, StringComparer.Ordinal)];
    }
}
