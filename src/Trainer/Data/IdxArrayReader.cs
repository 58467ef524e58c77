using System.Buffers.Binary;
using System.IO.Compression;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// An IDX file of the MNIST layout (`train-images-idx3-ubyte[.gz]`, ...): a magic of two zero bytes, a type code, the
/// rank, big-endian int32 dimensions, then the data. Only unsigned bytes (type 0x08) are used by image data sets;
/// other codes are rejected clearly. The elements are held as the bytes they are (pixels are scaled when a batch is
/// gathered, <see cref="SampleTypes.IsPixels"/>).
/// </summary>
public sealed class IdxArrayReader : IArrayReader
{
    private const byte UnsignedByte = 0x08;

    private readonly string _path;
    private readonly long _dataOffset;

    private IdxArrayReader(string path, long[] shape, string name)
    {
        _path = path;
        _dataOffset = 4 + 4L * shape.Length;
        Layout = new ArrayLayout(name, DataType.Uint8, shape, 1);
    }

    public ArrayLayout Layout { get; }

    /// <summary>Reads the header of an IDX file (gzipped when its name ends in .gz).</summary>
    public static IdxArrayReader Open(string path, string name)
    {
        using var stream = OpenStream(path);
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
        return new IdxArrayReader(path, shape, name);
    }

    public SampleArray ReadRows(long start, long count)
    {
        if (Layout.Elements > Array.MaxLength)
            throw new DataFormatException(_path, null, $"{Layout.Elements:0} elements are more than one array can hold");
        long rowBytes = Layout.Shape.Skip(1).Aggregate(1L, (p, d) => p * d);
        long[] shape = [count, .. Layout.Shape[1..]];
        var rows = (SampleArray<byte>)SampleArray.Allocate(DataType.Uint8, shape);
        using var stream = OpenStream(_path);
        long first = _dataOffset + start * rowBytes;
        if (stream.CanSeek)
        {
            // A plain file's size says at once whether the data are all there, before anything is read.
            if (stream.Length < first + rows.Values.LongLength)
                throw new DataFormatException(_path, null, $"the file ends before {(long)Layout.Elements} data bytes");
            stream.Seek(first, SeekOrigin.Begin);
        }
        else SkipExactly(stream, first);
        ReadExactly(stream, rows.Values, _path, $"{(long)Layout.Elements} data bytes");
        return rows;
    }

    private static Stream OpenStream(string path)
    {
        var file = DataFile.OpenForReading(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private void SkipExactly(Stream stream, long bytes)
    {
        var buffer = new byte[(int)Math.Clamp(bytes, 1, 1 << 16)];
        for (long left = bytes; left > 0;)
        {
            int chunk = (int)Math.Min(buffer.Length, left);
            ReadExactly(stream, buffer.AsSpan(0, chunk), _path, $"{(long)Layout.Elements} data bytes");
            left -= chunk;
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        try { stream.ReadExactly(buffer); }
        catch (EndOfStreamException) { throw new DataFormatException(path, null, $"the file ends before {what}"); }
        catch (InvalidDataException e) { throw new DataFormatException(path, null, $"not a valid gzip stream ({e.Message})"); }
    }
}
