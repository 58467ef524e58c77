namespace ZilOnnx.Trainer.Data;

/// <summary>
/// The DATA name `fashion-mnist`: the full set where the user or Debian put it, else the subset that ships with the
/// program, read as an IDX folder.
/// </summary>
public static class FashionMnistLookup
{
    public const string Name = "fashion-mnist";
    public const string DataFolderVariable = "ZILONNX_DATA";
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    public static bool Recognizes(string source) => source == Name;

    /// <summary>The split of the set found, with a notice when the subset stands in.</summary>
    public static IdxFolderSampleReader Open(DataSplit split)
    {
        var reader = IdxFolderSampleReader.Open(Find(out string? notice), split);
        if (notice != null) reader.Notices.Add(notice);
        return reader;
    }

    /// <summary>The subset of Fashion-MNIST that ships with the program (models/data), copied next to this assembly.</summary>
    public static string EmbeddedFolder => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");

    /// <summary>
    /// The full data set where the user or Debian put it, else the embedded subset, so that the name works on a
    /// fresh machine; <paramref name="notice"/> says when the subset stands in.
    /// </summary>
    public static string Find(out string? notice)
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable(DataFolderVariable) is { Length: > 0 } custom)
            candidates.AddRange([Path.Combine(custom, Name), custom]);
        candidates.Add(DebianFolder);
        return Find(candidates, EmbeddedFolder, out notice);
    }

    /// <summary>The first candidate folder holding the full set, else the embedded one.</summary>
    public static string Find(IReadOnlyList<string> candidates, string embedded, out string? notice)
    {
        notice = null;
        if (candidates.FirstOrDefault(IdxFolderSampleReader.HasTrainImages) is { } full) return full;
        if (IdxFolderSampleReader.HasTrainImages(embedded))
        {
            notice = $"Fashion-MNIST is not installed ({string.Join(", ", candidates)}); using the embedded subset " +
                     "(4,000 training and 1,000 test images). For the full set: apt-get install dataset-fashion-mnist";
            return embedded;
        }
        throw new FileNotFoundException(
            $"Fashion-MNIST was not found in {string.Join(", ", candidates.Append(embedded))}: install it with `apt-get install " +
                $"dataset-fashion-mnist` or set {DataFolderVariable}");
    }
}
