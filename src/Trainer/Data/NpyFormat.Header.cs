using System.Buffers.Binary;
using System.Text;

namespace ZilOnnx.Trainer.Data;

/// <summary>Reading the .npy header: magic string, version, length field and the dict of dtype, order and shape.</summary>
public static partial class NpyFormat
{
    /// <summary>
    /// The largest header accepted. NumPy itself refuses headers over 10,000 bytes unless told otherwise; the
    /// generous cap here only stops a corrupt length field from making the reader wait for gigabytes.
    /// </summary>
    private const int MaxHeaderLength = 1 << 20;

    /// <param name="dataOffset">Bytes from the magic string to the first data byte.</param>
    internal static NpyHeader ReadHeader(Stream stream, ErrorContext context, out long dataOffset)
    {
        Span<byte> prefix = stackalloc byte[8];
        int prefixRead = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (prefixRead < prefix.Length || !prefix[..6].SequenceEqual(Magic))
            throw context.Error($"not a NumPy .npy file: expected the magic string \\x93NUMPY, " +
                $"found {DescribeBytes(prefix[..prefixRead])}");

        byte major = prefix[6], minor = prefix[7];
        int lengthFieldSize = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw context.Error($"unsupported .npy format version {major}.{minor}: expected 1.0, 2.0 or 3.0"),
        };

        Span<byte> lengthField = stackalloc byte[4];
        if (stream.ReadAtLeast(lengthField[..lengthFieldSize], lengthFieldSize, throwOnEndOfStream: false) < lengthFieldSize)
            throw context.Error("the file ends inside the header length field");
        long headerLength = lengthFieldSize == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(lengthField)
            : BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        if (headerLength > MaxHeaderLength)
            throw context.Error($"header length field says {headerLength} bytes: expected at most {MaxHeaderLength}; the file is corrupt");

        byte[] headerBytes = ReadBytesAsTheyArrive(stream, (int)headerLength);
        if (headerBytes.Length < headerLength)
            throw context.Error($"header is shorter than its length field says: expected {headerLength} bytes, found {headerBytes.Length}");

        // Versions 1.0 and 2.0 store the header in latin-1; 3.0 exists only to allow UTF-8 field names.
        string text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var header = NpyHeader.Parse(text, context);
        dataOffset = Magic.Length + 2 + lengthFieldSize + headerLength;
        return header;
    }

    private static string PythonTuple(long[] shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => "(" + string.Join(", ", shape) + ")",
    };

    /// <summary>Reads up to <paramref name="length"/> bytes, growing the buffer only as bytes arrive.</summary>
    private static byte[] ReadBytesAsTheyArrive(Stream stream, int length)
    {
        var buffer = new byte[Math.Min(length, 4096)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(length, (long)buffer.Length * 2));
            int got = stream.Read(buffer, filled, buffer.Length - filled);
            if (got == 0) break;
            filled += got;
        }
        return filled == buffer.Length ? buffer : buffer[..filled];
    }

    private static string DescribeBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return "an empty file";
        var text = new StringBuilder();
        foreach (byte b in bytes[..Math.Min(bytes.Length, 6)])
            text.Append(b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}");
        return text.ToString();
    }

    /// <summary>The three keys of an .npy header: dtype, memory order and shape.</summary>
    internal sealed record NpyHeader(NpyDtype Dtype, bool FortranOrder, long[] Shape)
    {
        public string Describe() => $"shape {PythonTuple(Shape)} of dtype '{Dtype.Descriptor}'";

        /// <summary>What the header declares, under the given array name.</summary>
        public ArrayLayout Layout(string name) => new(name, Dtype.ElementType, Shape, Dtype.Size);

        public static NpyHeader Parse(string text, ErrorContext context)
        {
            object? parsed;
            try
            {
                parsed = new PythonLiteralParser(text).ParseWhole();
            }
            catch (FormatException e)
            {
                throw context.Error($"header is not a Python dict literal ({e.Message}): found {Abbreviate(text)}");
            }
            if (parsed is not Dictionary<string, object?> dict)
                throw context.Error($"header is not a Python dict literal: expected {{'descr': ..., 'fortran_order': ..., 'shape': " +
                    $"...}}, found {Abbreviate(text)}");

            object? descr = Require(dict, "descr", context);
            object? fortran = Require(dict, "fortran_order", context);
            object? shape = Require(dict, "shape", context);

            NpyDtype dtype = descr switch
            {
                string s => NpyDtype.Parse(s) ?? throw context.Error(UnsupportedDtypeMessage(s)),
                _ => throw context.Error($"unsupported dtype {Abbreviate(text)}: structured (record) arrays cannot be read; expected " +
                    $"one of {NpyDtype.SupportedDescriptors}"),
            };
            if (fortran is not bool fortranOrder)
                throw context.Error($"header key 'fortran_order' must be True or False, found {fortran ?? "None"}");
            if (shape is not PythonSequence { IsTuple: true } dims || dims.Items.Any(d => d is not long))
                throw context.Error($"header key 'shape' must be a tuple of integers, found {Abbreviate(text)}");
            long[] dimensions = dims.Items.Select(d => (long)d!).ToArray();
            if (dimensions.Any(d => d < 0))
                throw context.Error($"header shape {PythonTuple(dimensions)} has a negative dimension");

            return new NpyHeader(dtype, fortranOrder, dimensions);
        }

        private static object? Require(Dictionary<string, object?> dict, string key, ErrorContext context) =>
            dict.TryGetValue(key, out object? value)
                ? value
                : throw context.Error($"header has no '{key}' key: expected 'descr', 'fortran_order' and 'shape', found " +
                    $"{string.Join(", ", dict.Keys.Select(k => $"'{k}'"))}");

        private static string UnsupportedDtypeMessage(string descriptor) =>
            descriptor.Length >= 2 && descriptor[1] == 'O'
                ? $"dtype '{descriptor}' is an object array (pickled Python objects), which cannot be read safely: expected a numeric " +
                    $"dtype, one of {NpyDtype.SupportedDescriptors}"
                : $"unsupported dtype '{descriptor}': expected one of {NpyDtype.SupportedDescriptors} (big-endian '>' forms too)";

        private static string Abbreviate(string text)
        {
            string trimmed = text.Trim();
            return trimmed.Length <= 120 ? $"\"{trimmed}\"" : $"\"{trimmed[..120]}...\"";
        }
    }
}
