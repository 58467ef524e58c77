using Xunit;
using System.Buffers.Binary;
using System.Text;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>Fixture paths, scratch folders and hand-built .npy bytes for the data-format tests.</summary>
internal static class NpyTestFiles
{
    /// <summary>A file made by real NumPy (see tests/fixtures/npy/README.md), copied next to the test assembly.</summary>
    public static string Fixture(string fileName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fixtures", "npy", fileName);
        Assert.True(File.Exists(path), $"fixture {path} is missing: it should be copied from tests/fixtures/npy by the test project");
        return path;
    }

    /// <summary>A fresh empty folder under the system temp folder.</summary>
    public static string ScratchFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "zilonnx-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Builds a version 1.0 (or 2.0/3.0) .npy file from a header text and raw data, with no checks.</summary>
    public static byte[] RawNpy(string header, byte[] data, byte majorVersion = 1)
    {
        byte[] headerBytes = Encoding.Latin1.GetBytes(header);
        int lengthFieldSize = majorVersion == 1 ? 2 : 4;
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', majorVersion, 0 };
        var lengthField = new byte[lengthFieldSize];
        if (lengthFieldSize == 2) BinaryPrimitives.WriteUInt16LittleEndian(lengthField, (ushort)headerBytes.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(lengthField, (uint)headerBytes.Length);
        bytes.AddRange(lengthField);
        bytes.AddRange(headerBytes);
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    public static byte[] RawNpy(string descr, string shape, byte[] data, bool fortranOrder = false) =>
        RawNpy($"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shape}, }}\n", data);
}

/// <summary>A read-only stream that cannot seek, like a deflated zip member, to exercise the streaming paths.</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
