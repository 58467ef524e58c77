using System.Buffers.Binary;
using System.IO.Compression;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// The IDX files of the MNIST layout (`train-images-idx3-ubyte[.gz]`, ...): a magic of two zero bytes, a type
/// code, the rank, big-endian int32 dimensions, then the data. Only unsigned bytes (type 0x08) are used by
/// image data sets; other codes are rejected clearly.
/// </summary>
public static class IdxFormat
{
    private const byte UnsignedByte = 0x08;

    public static HostTensor Read(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        Span<byte> header = stackalloc byte[4];
        ReadExactly(stream, header, path, "the IDX header");
        if (header[0] != 0 || header[1] != 0)
            throw new DataFormatException(path, null, "not an IDX file (the first two bytes must be zero)");
        if (header[2] != UnsignedByte)
            throw new DataFormatException(path, null, $"IDX element type 0x{header[2]:x2} is not supported (only unsigned bytes, 0x08)");
        int rank = header[3];
        if (rank is < 1 or > 4) throw new DataFormatException(path, null, $"IDX rank {rank} is not between 1 and 4");
        var shape = new long[rank];
        Span<byte> dimension = stackalloc byte[4];
        for (int i = 0; i < rank; i++)
        {
            ReadExactly(stream, dimension, path, $"dimension {i}");
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(dimension);
            if (shape[i] < 0) throw new DataFormatException(path, null, $"dimension {i} is negative ({shape[i]})");
        }
        long count = HostTensor.ElementCount(shape);
        if (count > Array.MaxLength) throw new DataFormatException(path, null, $"{count} elements are more than one array can hold");
        var bytes = new byte[count];
        ReadExactly(stream, bytes, path, $"{count} data bytes");
        return new HostTensor(TensorProto.Types.DataType.Uint8, shape, Array.ConvertAll(bytes, b => (double)b));
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        try { stream.ReadExactly(buffer); }
        catch (EndOfStreamException) { throw new DataFormatException(path, null, $"the file ends before {what}"); }
        catch (InvalidDataException e) { throw new DataFormatException(path, null, $"not a valid gzip stream ({e.Message})"); }
    }
}
