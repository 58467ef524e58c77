namespace ZilOnnx.Trainer.Data;

/// <summary>
/// The image files a list of paths names: a file is itself, a folder every image file in it and in its subfolders (flat,
/// or one subfolder per class), in ordinal order of their paths. Images are the files with an image folder's extensions
/// (<see cref="ImageFolderLayout.ImageExtensions"/>); other files in a folder are skipped, as an image folder's are.
/// </summary>
public static class ImageFileList
{
    /// <summary>Whether <paramref name="path"/> names an image file by its extension.</summary>
    public static bool IsImageFile(string path) => ImageFolderLayout.ImageExtensions.Contains(Path.GetExtension(path));

    /// <summary>Whether the paths name images rather than arrays: any folder, or files that all end like images.</summary>
    public static bool NamesImages(IReadOnlyList<string> paths) => paths.Any(Directory.Exists) || paths.All(IsImageFile);

    /// <summary>The image files, in the order given (a folder's in ordinal order of their paths).</summary>
    public static IReadOnlyList<string> Find(IReadOnlyList<string> paths)
    {
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*",
                    SearchOption.AllDirectories).Where(IsImageFile).Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                    throw new DataFormatException(path, null,
                        $"no images in this folder or its subfolders (expected " +
                        $"{string.Join(", ", ImageFolderLayout.ImageExtensions.Order())} files)");
                files.AddRange(found);
            }
            else if (!IsImageFile(path))
                throw new DataFormatException(path, null,
                    $"not an image file (expected {string.Join(", ", ImageFolderLayout.ImageExtensions.Order())}) " +
                                                          "or a folder of images; an .npz of arrays is given alone");
            else if (!File.Exists(path))
                throw new FileNotFoundException($"{path}: no such file", path);
            else
                files.Add(path);
        }
        return files;
    }
}
