using ZilOnnx.Converter.IO;

namespace ZilOnnx.Trainer.Data;

/// <summary>Opens the files data are read from, refusing what is not a regular file before it is opened.</summary>
public static class DataFile
{
    /// <summary>
    /// Opens <paramref name="path"/> for reading. A pipe or a device has no size: opening a pipe waits for a writer
    /// forever, and a device (/dev/zero) never ends, so a file without a size is refused before it is opened, as model
    /// files are; no data file is empty either.
    /// </summary>
    public static FileStream OpenForReading(string path)
    {
        if (Directory.Exists(path)) throw new DataFormatException(path, null, "is a folder, not a data file");
        try
        {
            if (File.Exists(path) && FileSize.Of(path) == 0)
                throw new DataFormatException(path, null,
                    "the file is empty, or a pipe or a device (which have no size): expected a data file");
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            throw new DataFormatException(path, null, $"cannot open the file: {e.Message}", e);
        }
    }
}
