namespace ZilOnnx.Trainer.Data;

public enum DataSplit { Train, Test }

/// <summary>
/// A folder of MNIST-layout IDX files: `train-images-idx3-ubyte[.gz]` and `train-labels-idx1-ubyte[.gz]` for the
/// train split, `t10k-...` for the test split. Pixels are held as bytes and scaled to [0, 1] in batches.
/// </summary>
public sealed class IdxFolderSampleReader : ArrayPairReader
{
    private IdxFolderSampleReader(string images, string labels, IArrayReader inputs, IArrayReader targets) : base(images, inputs, targets,
        labels)
    { }

    public static bool Recognizes(string source) => Directory.Exists(source);

    /// <summary>Whether the folder holds the train images (what the fashion-mnist lookup looks for).</summary>
    public static bool HasTrainImages(string folder) => FileOf(folder, "train-images-idx3-ubyte") != null;

    /// <summary>Whether the folder holds any IDX file of either split (an image folder holds none).</summary>
    public static bool HasAnyIdxFiles(string folder) =>
        new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte" }.Any(n => FileOf(folder, n) != null);

    public static IdxFolderSampleReader Open(string folder, DataSplit split)
    {
        string prefix = split == DataSplit.Train ? "train" : "t10k";
        string images = FileOf(folder, $"{prefix}-images-idx3-ubyte")
            ?? throw new FileNotFoundException($"{folder}: no {prefix}-images-idx3-ubyte[.gz]");
        string labels = FileOf(folder, $"{prefix}-labels-idx1-ubyte")
            ?? throw new FileNotFoundException($"{folder}: no {prefix}-labels-idx1-ubyte[.gz]");
        return new IdxFolderSampleReader(images, labels, IdxArrayReader.Open(images, "x"), IdxArrayReader.Open(labels, "y"));
    }

    private static string? FileOf(string folder, string name) =>
        new[] { name, name + ".gz" }.Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists);
}
