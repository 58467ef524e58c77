using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0) as <see cref="HostTensor"/>s.
/// Reading accepts little- and big-endian numeric and bool dtypes in C or Fortran order and always returns C
/// order; writing uses the tensor's element type, little-endian, C order, and the oldest version that can hold
/// the header. Every problem with a file is reported as a <see cref="DataFormatException"/>.
/// </summary>
public static partial class NpyFormat
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Elements decoded per read, so memory grows with the data actually present, not the header's claim.</summary>
    private const int ElementsPerChunk = 8192;

    /// <param name="budget">Memory the array may take (its values held as doubles), checked before they are read; null: no bound.</param>
    public static HostTensor Read(string path, DataBudget? budget = null)
    {
        using var stream = OpenForReading(path);
        return Read(stream, path, budget: budget);
    }

    /// <param name="stream">Positioned at the magic string; left just after the array's data.</param>
    /// <param name="fileName">Names the file in error messages.</param>
    /// <param name="arrayName">Names the array in error messages (an .npz member), or null.</param>
    /// <param name="budget">Memory the array may take (its values held as doubles), checked before they are read; null: no bound.</param>
    /// <param name="compressedBytes">The size of the compressed data the stream inflates (a deflated .npz member), checked by the
    /// budget.</param>
    public static HostTensor Read(Stream stream, string fileName, string? arrayName = null, DataBudget? budget = null,
        long? compressedBytes = null)
    {
        var context = new ErrorContext(fileName, arrayName);
        NpyHeader header = ReadHeader(stream, context, out _);
        var layout = header.Layout(arrayName ?? "array") with { CompressedBytes = compressedBytes };
        budget?.Reserve(fileName, arrayName, layout, layout.Elements * sizeof(double));
        long count = CountElements(header, context);
        // count is at most Array.MaxLength (about 2^31) and items at most 8 bytes, so this cannot overflow.
        long byteCount = count * header.Dtype.Size;

        if (stream.CanSeek)
        {
            long available = Math.Max(0, stream.Length - stream.Position);
            if (available < byteCount)
                throw context.Error($"data is shorter than the header says: expected {byteCount} bytes for {header.Describe()}, found " +
                    $"{available}");
        }

        double[] values = ReadValues(stream, header, count, byteCount, context);
        if (header.FortranOrder && header.Shape.Length > 1)
            values = FortranToCOrder(values, header.Shape);
        return new HostTensor(header.Dtype.ElementType, header.Shape, values);
    }

    /// <summary>Opens a file for reading, turning "not there" (and a pipe or a device) into the same error type as "not valid".</summary>
    internal static FileStream OpenForReading(string path) => DataFile.OpenForReading(path);

    internal static long CountElements(NpyHeader header, ErrorContext context)
    {
        long count = 1;
        foreach (long dimension in header.Shape)
        {
            if (dimension != 0 && count > long.MaxValue / dimension)
                throw context.Error($"shape {PythonTuple(header.Shape)} has more elements than a 64-bit count can hold; the header is " +
                    $"corrupt");
            count *= dimension;
        }
        if (count > Array.MaxLength)
            throw context.Error($"shape {PythonTuple(header.Shape)} holds {count} elements: " +
                $"expected at most {Array.MaxLength} in one array");
        return count;
    }

    /// <summary>
    /// Decodes <paramref name="count"/> elements chunk by chunk. The result array grows with the bytes that have
    /// really arrived, so a header that claims billions of elements in a small (or compressed) file fails with
    /// "shorter than the header says" before it can exhaust memory.
    /// </summary>
    private static double[] ReadValues(Stream stream, NpyHeader header, long count, long byteCount, ErrorContext context)
    {
        NpyDtype dtype = header.Dtype;
        int total = (int)count;
        // A seekable stream was already checked to hold all the data, so the full array is justified up front.
        var values = new double[stream.CanSeek ? total : Math.Min(total, ElementsPerChunk)];
        var buffer = new byte[Math.Min(total, ElementsPerChunk) * dtype.Size];

        int decoded = 0;
        while (decoded < total)
        {
            int wanted = Math.Min(ElementsPerChunk, total - decoded);
            int wantedBytes = wanted * dtype.Size;
            int got = stream.ReadAtLeast(buffer.AsSpan(0, wantedBytes), wantedBytes, throwOnEndOfStream: false);
            if (got < wantedBytes)
                throw context.Error($"data is shorter than the header says: expected {byteCount} bytes for {header.Describe()}, found " +
                    $"{(long)decoded * dtype.Size + got}");

            if (values.Length < decoded + wanted)
                Array.Resize(ref values, (int)Math.Min(total, Math.Max((long)values.Length * 2, decoded + wanted)));

            int badIndex = dtype.Decode(buffer.AsSpan(0, wantedBytes), values.AsSpan(decoded, wanted));
            if (badIndex >= 0)
                throw context.Error($"element {decoded + badIndex} ({dtype.FormatRaw(buffer.AsSpan(badIndex * dtype.Size, dtype.Size))}) " +
                                    $"cannot be held exactly as a double: expected integers of magnitude at most 2^53");
            decoded += wanted;
        }
        return values;
    }

    /// <summary>Reorders column-major (Fortran) data into row-major (C) order for the same shape.</summary>
    internal static T[] FortranToCOrder<T>(T[] fortran, long[] shape)
    {
        int rank = shape.Length;
        var fortranStrides = new long[rank];
        long stride = 1;
        for (int axis = 0; axis < rank; axis++)
        {
            fortranStrides[axis] = stride;
            stride *= shape[axis];
        }

        var result = new T[fortran.Length];
        var index = new long[rank];
        long offset = 0;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = fortran[offset];
            // Advance the C-order multi-index (last axis fastest), keeping the Fortran offset in step.
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                index[axis]++;
                offset += fortranStrides[axis];
                if (index[axis] < shape[axis]) break;
                offset -= index[axis] * fortranStrides[axis];
                index[axis] = 0;
            }
        }
        return result;
    }

    /// <summary>The file and array named in every error, so each message starts the same way.</summary>
    internal sealed record ErrorContext(string FileName, string? ArrayName)
    {
        public DataFormatException Error(string problem) => new(FileName, ArrayName, problem);
    }
}
