namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Where the images of an image-folder data source are: one subfolder per class, the class index being the position
/// of the folder's name in ordinal order (torchvision's ImageFolder, Keras' image_dataset_from_directory). A folder
/// whose subfolders are train/ and test/ (or val/) holds the two splits, each one subfolder per class; both splits
/// take their class list from train/, so a class index means the same class in either.
/// </summary>
public sealed record ImageFolderLayout(string Folder, IReadOnlyList<string> ClassNames, IReadOnlyList<(string File, int Class)> Images)
{
    /// <summary>The file name extensions read as images (case-insensitive); other files are skipped, as torchvision does.</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    private const string TrainFolder = "train";
    private static readonly string[] HeldOutFolders = ["test", "val"];

    /// <summary>A folder with subfolders and none of the files another folder format is recognized by.</summary>
    public static bool Recognizes(string source) =>
        Directory.Exists(source) && !IdxFolderSampleReader.HasAnyIdxFiles(source) && Directory.EnumerateDirectories(source).Any();

    /// <summary>The images of <paramref name="split"/>: every image file under each class folder, in ordinal order of their
    /// paths.</summary>
    /// <param name="progress">Where a long listing reports its progress; default: standard error
    /// (<see cref="IndexingProgress.ToStandardError"/>).</param>
    public static ImageFolderLayout Find(string source, DataSplit split, IndexingProgress? progress = null)
    {
        progress ??= IndexingProgress.ToStandardError(source);
        string root = Path.GetFullPath(source);
        string? train = Subfolder(root, TrainFolder);
        string? heldOut = HeldOutFolders.Select(name => Subfolder(root, name)).FirstOrDefault(f => f != null);
        if (train == null || heldOut == null)
            return Index(source, ClassFolders(source), progress);

        var classNames = ClassFolders(train);
        if (split == DataSplit.Train) return Index(train, classNames, progress);
        foreach (string name in ClassFolders(heldOut))
            if (!classNames.Contains(name, StringComparer.Ordinal))
                throw new DataFormatException(Path.Combine(heldOut, name), null,
                    $"a class folder that {train} does not have (its classes: {string.Join(", ", classNames)})");
        return Index(heldOut, classNames, progress);
    }

    private static string? Subfolder(string root, string name)
    {
        string path = Path.Combine(root, name);
        return Directory.Exists(path) && Directory.EnumerateDirectories(root).Count() == 2 ? path : null;
    }

    private static List<string> ClassFolders(string folder)
    {
        var names = Directory.EnumerateDirectories(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
            throw new DataFormatException(folder, null, "no class folders (an image folder holds one subfolder of images per class)");
        return names;
    }

    private static ImageFolderLayout Index(string folder, IReadOnlyList<string> classNames, IndexingProgress progress)
    {
        var images = new List<(string, int)>();
        for (int c = 0; c < classNames.Count; c++)
        {
            string classFolder = Path.Combine(folder, classNames[c]);
            if (!Directory.Exists(classFolder)) continue;  // a held-out split may lack a class
            var files = Directory.EnumerateFiles(classFolder, "*", SearchOption.AllDirectories)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f)))
                .Select(f => { progress.Found(); return f; })
                .Order(StringComparer.Ordinal).ToList();
            // An empty class would shift nothing (its index stays) but is almost always a mistake in the copy.
            if (files.Count == 0)
                throw new DataFormatException(classFolder, null,
                    $"no images in this class folder (expected {string.Join(", ", ImageExtensions.Order())} files)");
            images.AddRange(files.Select(f => (f, c)));
        }
        progress.Done(classNames.Count);
        return new ImageFolderLayout(folder, classNames, images);
    }
}
