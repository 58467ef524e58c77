namespace ZilOnnx.Converter.IO;

/// <summary>
/// The size of the file a path names, through symbolic links. Model, checkpoint and data readers refuse a size of 0
/// before opening: a pipe or a device has none, and opening a pipe waits for a writer forever.
/// </summary>
public static class FileSize
{
    public static long Of(string path)
    {
        var file = new FileInfo(path);
        return (file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file).Length;
    }
}
