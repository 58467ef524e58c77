using Google.Protobuf;

namespace ZilOnnx.Tests.Converter.Onnx;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it at the end of a test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        FullPath = Directory.CreateTempSubdirectory("zilonnx-onnx-io-").FullName;
    }

    public string FullPath { get; }

    public string PathOf(string relative) => System.IO.Path.Combine(FullPath, relative);

    /// <summary>Writes a message as it is, without the code under test, so tests can plant any file.</summary>
    public string Write(string relative, IMessage message) => Write(relative, message.ToByteArray());

    public string Write(string relative, byte[] bytes)
    {
        string path = PathOf(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(FullPath, recursive: true); }
        catch (IOException) { /* a leftover temp folder must not fail a test */ }
    }
}
