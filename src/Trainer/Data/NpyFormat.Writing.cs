using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ZilOnnx.Converter.IO;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Trainer.Data;

/// <summary>Writing .npy files: the header NumPy itself would write, then the data little-endian in C order.</summary>
public static partial class NpyFormat
{
    /// <summary>Writes one array as an .npy file, atomically (<see cref="AtomicFile"/>).</summary>
    public static void Write(string path, HostTensor tensor) => AtomicFile.Write(path, stream => Write(stream, tensor, path));

    /// <param name="fileName">Names the file in error messages.</param>
    /// <param name="arrayName">Names the array in error messages (an .npz member), or null.</param>
    public static void Write(Stream stream, HostTensor tensor, string fileName, string? arrayName = null)
    {
        var context = new ErrorContext(fileName, arrayName);
        NpyDtype dtype = NpyDtype.ForElementType(tensor.ElementType)
            ?? throw context.Error($"element type {NpyDtype.Name(tensor.ElementType)} has no .npy dtype; writable types are " +
                $"{NpyDtype.SupportedElementTypes}");

        stream.Write(EncodeHeader(dtype.Descriptor, tensor.Shape));

        var buffer = new byte[ElementsPerChunk * dtype.Size];
        for (int start = 0; start < tensor.Values.Length; start += ElementsPerChunk)
        {
            int length = Math.Min(ElementsPerChunk, tensor.Values.Length - start);
            int badIndex = dtype.Encode(tensor.Values.AsSpan(start, length), buffer);
            if (badIndex >= 0)
                throw context.Error($"value {Format(tensor.Values[start + badIndex])} at flat index {start + badIndex} cannot be stored " +
                    $"as {NpyDtype.Name(tensor.ElementType)}");
            stream.Write(buffer, 0, length * dtype.Size);
        }
    }

    private static byte[] EncodeHeader(string descriptor, long[] shape)
    {
        string dict = $"{{'descr': '{descriptor}', 'fortran_order': False, 'shape': {PythonTuple(shape)}, }}";

        // NumPy pads so that the data starts on a 64-byte boundary (aligned memory maps) and ends the header
        // with a newline; version 2.0 is used only when the header no longer fits a 16-bit length.
        int lengthFieldSize = Magic.Length + 2 + 2 + dict.Length + 1 <= ushort.MaxValue ? 2 : 4;
        int unpadded = Magic.Length + 2 + lengthFieldSize + dict.Length + 1;
        int padding = (64 - unpadded % 64) % 64;
        string headerText = dict + new string(' ', padding) + "\n";

        var bytes = new byte[Magic.Length + 2 + lengthFieldSize + headerText.Length];
        Magic.CopyTo(bytes, 0);
        bytes[6] = (byte)(lengthFieldSize == 2 ? 1 : 2);
        bytes[7] = 0;
        if (lengthFieldSize == 2)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerText.Length);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)headerText.Length);
        Encoding.Latin1.GetBytes(headerText, bytes.AsSpan(8 + lengthFieldSize));
        return bytes;
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
