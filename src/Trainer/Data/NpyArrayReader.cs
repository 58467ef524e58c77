namespace ZilOnnx.Trainer.Data;

/// <summary>
/// An array in an .npy file or an .npz member. A file is read from where the rows start; a member (deflated or
/// stored, never seekable) is inflated from its start, and no further than the rows asked for.
/// </summary>
public sealed class NpyArrayReader : IArrayReader
{
    private readonly Func<Stream> _open;
    private readonly NpyFormat.NpyHeader _header;
    private readonly long _dataOffset;
    private readonly NpyFormat.ErrorContext _context;

    private NpyArrayReader(Func<Stream> open, NpyFormat.NpyHeader header, long dataOffset, NpyFormat.ErrorContext context, string name)
    {
        _open = open;
        _header = header;
        _dataOffset = dataOffset;
        _context = context;
        Layout = header.Layout(name);
    }

    public ArrayLayout Layout { get; }

    /// <summary>Reads the header of the array <paramref name="open"/> gives a fresh stream of (at the magic string).</summary>
    /// <param name="name">The array's name in layouts (x or y).</param>
    /// <param name="fileName">Names the file in errors.</param>
    /// <param name="arrayName">Names the member in errors (an .npz), or null for an .npy file.</param>
    public static NpyArrayReader Open(Func<Stream> open, string name, string fileName, string? arrayName)
    {
        var context = new NpyFormat.ErrorContext(fileName, arrayName);
        using var stream = open();
        var header = NpyFormat.ReadHeader(stream, context, out long dataOffset);
        return new NpyArrayReader(open, header, dataOffset, context, name);
    }

    public SampleArray ReadRows(long start, long count)
    {
        long[] shape = _header.Shape;
        NpyFormat.CountElements(_header, _context);
        if (_header.FortranOrder && shape.Length > 1)
        {
            // Fortran order keeps a sample's elements apart: the whole array is read and reordered, then the rows taken.
            var whole = NpyFormat.FromFortranOrder(Read(0, shape));
            return start == 0 && count == shape[0] ? whole : whole.Rows([.. Enumerable.Range(0, (int)count).Select(i => start + i)]);
        }
        long rowElements = shape.Skip(1).Aggregate(1L, (p, d) => p * d);
        return Read(start * rowElements, [count, .. shape[1..]]);
    }

    /// <summary>The elements from <paramref name="firstElement"/> on, as many as <paramref name="shape"/> holds.</summary>
    private SampleArray Read(long firstElement, long[] shape)
    {
        using var stream = _open();
        long skip = _dataOffset + firstElement * _header.Dtype.Size;
        if (stream.CanSeek)
        {
            // A file's size says at once whether all the data are there, before anything is allocated.
            long needed = shape.Aggregate(1L, (p, d) => p * d) * _header.Dtype.Size;
            if (stream.Length < skip + needed)
                throw _context.Error($"data is shorter than the header says: expected {_header.Layout("").StoredBytes:0} bytes for " +
                    $"{_header.Describe()}, found {Math.Max(0, stream.Length - _dataOffset)}");
            stream.Seek(skip, SeekOrigin.Begin);
        }
        else
        {
            long skipped = Skip(stream, skip);
            if (skipped < skip)
                throw _context.Error($"data is shorter than the header says: expected {_header.Layout("").StoredBytes:0} bytes for " +
                    $"{_header.Describe()}, found {Math.Max(0, skipped - _dataOffset)}");
        }
        return NpyFormat.ReadElements(stream, _header, shape, firstElement, _context);
    }

    /// <summary>Reads and drops up to <paramref name="bytes"/> bytes; returns how many there were.</summary>
    private static long Skip(Stream stream, long bytes)
    {
        var buffer = new byte[(int)Math.Clamp(bytes, 1, 1 << 16)];
        long skipped = 0;
        while (skipped < bytes)
        {
            int got = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, bytes - skipped));
            if (got == 0) break;
            skipped += got;
        }
        return skipped;
    }
}
