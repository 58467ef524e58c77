using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ZilOnnx.Converter.IO;
using ZilOnnx.Converter.Tensors;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

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

    /// <summary>
    /// The largest header accepted. NumPy itself refuses headers over 10,000 bytes unless told otherwise; the
    /// generous cap here only stops a corrupt length field from making the reader wait for gigabytes.
    /// </summary>
    private const int MaxHeaderLength = 1 << 20;

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
    /// <param name="compressedBytes">The size of the compressed data the stream inflates (a deflated .npz member), checked by the budget.</param>
    public static HostTensor Read(Stream stream, string fileName, string? arrayName = null, DataBudget? budget = null, long? compressedBytes = null)
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
                throw context.Error($"data is shorter than the header says: expected {byteCount} bytes for {header.Describe()}, found {available}");
        }

        double[] values = ReadValues(stream, header, count, byteCount, context);
        if (header.FortranOrder && header.Shape.Length > 1)
            values = FortranToCOrder(values, header.Shape);
        return new HostTensor(header.Dtype.ElementType, header.Shape, values);
    }

    /// <summary>Writes one array as an .npy file, atomically (<see cref="AtomicFile"/>).</summary>
    public static void Write(string path, HostTensor tensor) => AtomicFile.Write(path, stream => Write(stream, tensor, path));

    /// <param name="fileName">Names the file in error messages.</param>
    /// <param name="arrayName">Names the array in error messages (an .npz member), or null.</param>
    public static void Write(Stream stream, HostTensor tensor, string fileName, string? arrayName = null)
    {
        var context = new ErrorContext(fileName, arrayName);
        NpyDtype dtype = NpyDtype.ForElementType(tensor.ElementType)
            ?? throw context.Error($"element type {NpyDtype.Name(tensor.ElementType)} has no .npy dtype; writable types are {NpyDtype.SupportedElementTypes}");

        stream.Write(EncodeHeader(dtype.Descriptor, tensor.Shape));

        var buffer = new byte[ElementsPerChunk * dtype.Size];
        for (int start = 0; start < tensor.Values.Length; start += ElementsPerChunk)
        {
            int length = Math.Min(ElementsPerChunk, tensor.Values.Length - start);
            int badIndex = dtype.Encode(tensor.Values.AsSpan(start, length), buffer);
            if (badIndex >= 0)
                throw context.Error($"value {Format(tensor.Values[start + badIndex])} at flat index {start + badIndex} cannot be stored as {NpyDtype.Name(tensor.ElementType)}");
            stream.Write(buffer, 0, length * dtype.Size);
        }
    }

    /// <summary>
    /// Writes text as NumPy's fixed-width unicode array (dtype '&lt;U<i>n</i>', n the longest length in code points, each
    /// element UTF-32 little-endian, padded with zeros), which <c>np.load</c> gives back as an array of str.
    /// </summary>
    public static void WriteStrings(Stream stream, IReadOnlyList<string> values)
    {
        var encoding = new System.Text.UTF32Encoding(bigEndian: false, byteOrderMark: false);
        int width = Math.Max(1, values.Select(v => encoding.GetByteCount(v) / 4).DefaultIfEmpty(0).Max());
        stream.Write(EncodeHeader($"<U{width}", [values.Count]));
        var item = new byte[4 * width];
        foreach (string value in values)
        {
            Array.Clear(item);
            encoding.GetBytes(value, item);
            stream.Write(item);
        }
    }

    /// <summary>Opens a file for reading, turning "not there" (and a pipe or a device) into the same error type as "not valid".</summary>
    internal static FileStream OpenForReading(string path) => DataFile.OpenForReading(path);

    // ---- header ---------------------------------------------------------------------------------------------

    /// <param name="dataOffset">Bytes from the magic string to the first data byte.</param>
    internal static NpyHeader ReadHeader(Stream stream, ErrorContext context, out long dataOffset)
    {
        Span<byte> prefix = stackalloc byte[8];
        int prefixRead = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (prefixRead < prefix.Length || !prefix[..6].SequenceEqual(Magic))
            throw context.Error($"not a NumPy .npy file: expected the magic string \\x93NUMPY, found {DescribeBytes(prefix[..prefixRead])}");

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

    private static string PythonTuple(long[] shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => "(" + string.Join(", ", shape) + ")",
    };

    // ---- data -----------------------------------------------------------------------------------------------

    internal static long CountElements(NpyHeader header, ErrorContext context)
    {
        long count = 1;
        foreach (long dimension in header.Shape)
        {
            if (dimension != 0 && count > long.MaxValue / dimension)
                throw context.Error($"shape {PythonTuple(header.Shape)} has more elements than a 64-bit count can hold; the header is corrupt");
            count *= dimension;
        }
        if (count > Array.MaxLength)
            throw context.Error($"shape {PythonTuple(header.Shape)} holds {count} elements: expected at most {Array.MaxLength} in one array");
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
                throw context.Error($"data is shorter than the header says: expected {byteCount} bytes for {header.Describe()}, found {(long)decoded * dtype.Size + got}");

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

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The file and array named in every error, so each message starts the same way.</summary>
    internal sealed record ErrorContext(string FileName, string? ArrayName)
    {
        public DataFormatException Error(string problem) => new(FileName, ArrayName, problem);
    }

    // ---- header dictionary ----------------------------------------------------------------------------------

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
                throw context.Error($"header is not a Python dict literal: expected {{'descr': ..., 'fortran_order': ..., 'shape': ...}}, found {Abbreviate(text)}");

            object? descr = Require(dict, "descr", context);
            object? fortran = Require(dict, "fortran_order", context);
            object? shape = Require(dict, "shape", context);

            NpyDtype dtype = descr switch
            {
                string s => NpyDtype.Parse(s) ?? throw context.Error(UnsupportedDtypeMessage(s)),
                _ => throw context.Error($"unsupported dtype {Abbreviate(text)}: structured (record) arrays cannot be read; expected one of {NpyDtype.SupportedDescriptors}"),
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
                : throw context.Error($"header has no '{key}' key: expected 'descr', 'fortran_order' and 'shape', found {string.Join(", ", dict.Keys.Select(k => $"'{k}'"))}");

        private static string UnsupportedDtypeMessage(string descriptor) =>
            descriptor.Length >= 2 && descriptor[1] == 'O'
                ? $"dtype '{descriptor}' is an object array (pickled Python objects), which cannot be read safely: expected a numeric dtype, one of {NpyDtype.SupportedDescriptors}"
                : $"unsupported dtype '{descriptor}': expected one of {NpyDtype.SupportedDescriptors} (big-endian '>' forms too)";

        private static string Abbreviate(string text)
        {
            string trimmed = text.Trim();
            return trimmed.Length <= 120 ? $"\"{trimmed}\"" : $"\"{trimmed[..120]}...\"";
        }
    }

    private sealed record PythonSequence(bool IsTuple, List<object?> Items);

    /// <summary>
    /// Parses the small subset of Python literal syntax that .npy headers use: dicts, tuples, lists, strings,
    /// integers, True, False and None. It never evaluates anything, unlike Python's own loader would.
    /// </summary>
    private sealed class PythonLiteralParser(string text)
    {
        private int _position;

        public object? ParseWhole()
        {
            object? value = ParseValue();
            SkipWhitespace();
            if (_position != text.Length)
                throw new FormatException($"unexpected '{text[_position]}' at offset {_position}");
            return value;
        }

        private object? ParseValue()
        {
            SkipWhitespace();
            if (_position >= text.Length) throw new FormatException("the header ends early");
            char c = text[_position];
            return c switch
            {
                '{' => ParseDict(),
                '(' => new PythonSequence(true, ParseItems('(', ')')),
                '[' => new PythonSequence(false, ParseItems('[', ']')),
                '\'' or '"' => ParseString(),
                _ when c == '-' || char.IsAsciiDigit(c) => ParseInteger(),
                _ when char.IsAsciiLetter(c) => ParseName(),
                _ => throw new FormatException($"unexpected '{c}' at offset {_position}"),
            };
        }

        private Dictionary<string, object?> ParseDict()
        {
            var dict = new Dictionary<string, object?>();
            _position++; // '{'
            while (true)
            {
                SkipWhitespace();
                if (TryConsume('}')) return dict;
                if (ParseValue() is not string key) throw new FormatException("dict keys must be strings");
                SkipWhitespace();
                if (!TryConsume(':')) throw new FormatException($"expected ':' after key '{key}'");
                if (!dict.TryAdd(key, ParseValue())) throw new FormatException($"key '{key}' appears twice");
                SkipWhitespace();
                if (TryConsume('}')) return dict;
                if (!TryConsume(',')) throw new FormatException("expected ',' or '}' in dict");
            }
        }

        private List<object?> ParseItems(char open, char close)
        {
            var items = new List<object?>();
            _position++; // open
            while (true)
            {
                SkipWhitespace();
                if (TryConsume(close)) return items;
                items.Add(ParseValue());
                SkipWhitespace();
                if (TryConsume(close)) return items;
                if (!TryConsume(',')) throw new FormatException($"expected ',' or '{close}' after an item of '{open}'");
            }
        }

        private string ParseString()
        {
            char quote = text[_position++];
            var value = new StringBuilder();
            while (_position < text.Length && text[_position] != quote)
            {
                char c = text[_position++];
                if (c == '\\' && _position < text.Length) c = text[_position++];
                value.Append(c);
            }
            if (!TryConsume(quote)) throw new FormatException("unterminated string");
            return value.ToString();
        }

        private long ParseInteger()
        {
            int start = _position;
            if (text[_position] == '-') _position++;
            while (_position < text.Length && char.IsAsciiDigit(text[_position])) _position++;
            string digits = text[start.._position];
            // Python 2 wrote long integers with an 'L' suffix; old files still carry it.
            if (_position < text.Length && text[_position] is 'L' or 'l') _position++;
            if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                throw new FormatException($"integer {digits} is out of range");
            return value;
        }

        private object? ParseName()
        {
            int start = _position;
            while (_position < text.Length && char.IsAsciiLetterOrDigit(text[_position])) _position++;
            return text[start.._position] switch
            {
                "True" => true,
                "False" => false,
                "None" => null,
                string name => throw new FormatException($"unexpected name '{name}'"),
            };
        }

        private void SkipWhitespace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position])) _position++;
        }

        private bool TryConsume(char c)
        {
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }
            return false;
        }
    }

    // ---- dtypes ---------------------------------------------------------------------------------------------

    /// <summary>One supported NumPy dtype: kind letter, item size, byte order and the ONNX element type it maps to.</summary>
    internal sealed partial record NpyDtype(char Kind, int Size, bool BigEndian, DataType ElementType)
    {
        private static readonly NpyDtype[] LittleEndianTypes =
        [
            new('f', 2, false, DataType.Float16),
            new('f', 4, false, DataType.Float),
            new('f', 8, false, DataType.Double),
            new('i', 1, false, DataType.Int8),
            new('i', 2, false, DataType.Int16),
            new('i', 4, false, DataType.Int32),
            new('i', 8, false, DataType.Int64),
            new('u', 1, false, DataType.Uint8),
            new('u', 2, false, DataType.Uint16),
            new('u', 4, false, DataType.Uint32),
            new('u', 8, false, DataType.Uint64),
            new('b', 1, false, DataType.Bool),
        ];

        public static string SupportedDescriptors => string.Join(" ", LittleEndianTypes.Select(t => $"'{t.Descriptor}'"));

        public static string SupportedElementTypes => string.Join(", ", LittleEndianTypes.Select(t => Name(t.ElementType)));

        /// <summary>NumPy's spelling: '|' (no byte order) for one-byte types, else '&lt;' or '&gt;'.</summary>
        public string Descriptor => $"{(Size == 1 ? '|' : BigEndian ? '>' : '<')}{Kind}{Size}";

        public static string Name(DataType elementType) => elementType.ToString().ToUpperInvariant();

        public static NpyDtype? ForElementType(DataType elementType) =>
            LittleEndianTypes.FirstOrDefault(t => t.ElementType == elementType);

        public static NpyDtype? Parse(string descriptor)
        {
            if (descriptor.Length < 3) return null;
            bool? bigEndian = descriptor[0] switch
            {
                '<' => false,
                '>' => true,
                '|' => false,
                '=' => !BitConverter.IsLittleEndian,
                _ => null,
            };
            if (bigEndian is null || !int.TryParse(descriptor.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int size))
                return null;
            NpyDtype? match = LittleEndianTypes.FirstOrDefault(t => t.Kind == descriptor[1] && t.Size == size);
            return match is null ? null : match with { BigEndian = bigEndian.Value && size > 1 };
        }

        /// <summary>Decodes elements into doubles; returns the index of the first element a double cannot hold exactly, or -1.</summary>
        public int Decode(ReadOnlySpan<byte> bytes, Span<double> values)
        {
            bool big = BigEndian;
            switch (Kind, Size)
            {
                case ('f', 2):
                    for (int i = 0; i < values.Length; i++)
                    {
                        ushort bits = big ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..]) : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
                        values[i] = (double)BitConverter.UInt16BitsToHalf(bits);
                    }
                    return -1;
                case ('f', 4):
                    for (int i = 0; i < values.Length; i++)
                        values[i] = big ? BinaryPrimitives.ReadSingleBigEndian(bytes[(4 * i)..]) : BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                    return -1;
                case ('f', 8):
                    for (int i = 0; i < values.Length; i++)
                        values[i] = big ? BinaryPrimitives.ReadDoubleBigEndian(bytes[(8 * i)..]) : BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                    return -1;
                case ('i', 1):
                    for (int i = 0; i < values.Length; i++) values[i] = (sbyte)bytes[i];
                    return -1;
                case ('u', 1):
                    for (int i = 0; i < values.Length; i++) values[i] = bytes[i];
                    return -1;
                case ('b', 1):
                    for (int i = 0; i < values.Length; i++) values[i] = bytes[i] != 0 ? 1 : 0;
                    return -1;
                case ('i', 2):
                    for (int i = 0; i < values.Length; i++)
                        values[i] = big ? BinaryPrimitives.ReadInt16BigEndian(bytes[(2 * i)..]) : BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]);
                    return -1;
                case ('u', 2):
                    for (int i = 0; i < values.Length; i++)
                        values[i] = big ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..]) : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
                    return -1;
                case ('i', 4):
                    for (int i = 0; i < values.Length; i++)
                        values[i] = big ? BinaryPrimitives.ReadInt32BigEndian(bytes[(4 * i)..]) : BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
                    return -1;
                case ('u', 4):
                    for (int i = 0; i < values.Length; i++)
                        values[i] = big ? BinaryPrimitives.ReadUInt32BigEndian(bytes[(4 * i)..]) : BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]);
                    return -1;
                case ('i', 8):
                    for (int i = 0; i < values.Length; i++)
                    {
                        long v = big ? BinaryPrimitives.ReadInt64BigEndian(bytes[(8 * i)..]) : BinaryPrimitives.ReadInt64LittleEndian(bytes[(8 * i)..]);
                        if (!ExactDouble.FromInt64(v, out values[i])) return i;
                    }
                    return -1;
                case ('u', 8):
                    for (int i = 0; i < values.Length; i++)
                    {
                        ulong v = big ? BinaryPrimitives.ReadUInt64BigEndian(bytes[(8 * i)..]) : BinaryPrimitives.ReadUInt64LittleEndian(bytes[(8 * i)..]);
                        if (!ExactDouble.FromUInt64(v, out values[i])) return i;
                    }
                    return -1;
                default:
                    throw new InvalidOperationException($"no decoder for dtype {Descriptor}");
            }
        }

        /// <summary>Encodes doubles little-endian; returns the index of the first value the type cannot hold, or -1.</summary>
        public int Encode(ReadOnlySpan<double> values, Span<byte> bytes)
        {
            for (int i = 0; i < values.Length; i++)
            {
                double v = values[i];
                Span<byte> item = bytes.Slice(i * Size, Size);
                switch (Kind, Size)
                {
                    case ('f', 2): BinaryPrimitives.WriteHalfLittleEndian(item, (Half)v); break;
                    case ('f', 4): BinaryPrimitives.WriteSingleLittleEndian(item, (float)v); break;
                    case ('f', 8): BinaryPrimitives.WriteDoubleLittleEndian(item, v); break;
                    case ('b', 1):
                        if (v is not (0 or 1)) return i;
                        item[0] = (byte)v;
                        break;
                    case ('i', _):
                        if (!ExactDouble.IsIntegerInRange(v, -Math.Pow(2, 8 * Size - 1), Math.Pow(2, 8 * Size - 1))) return i;
                        WriteSigned(item, (long)v);
                        break;
                    case ('u', _):
                        if (!ExactDouble.IsIntegerInRange(v, 0, Math.Pow(2, 8 * Size))) return i;
                        WriteUnsigned(item, (ulong)v);
                        break;
                    default:
                        throw new InvalidOperationException($"no encoder for dtype {Descriptor}");
                }
            }
            return -1;
        }

        private static void WriteSigned(Span<byte> item, long v)
        {
            switch (item.Length)
            {
                case 1: item[0] = (byte)(sbyte)v; break;
                case 2: BinaryPrimitives.WriteInt16LittleEndian(item, (short)v); break;
                case 4: BinaryPrimitives.WriteInt32LittleEndian(item, (int)v); break;
                default: BinaryPrimitives.WriteInt64LittleEndian(item, v); break;
            }
        }

        private static void WriteUnsigned(Span<byte> item, ulong v)
        {
            switch (item.Length)
            {
                case 1: item[0] = (byte)v; break;
                case 2: BinaryPrimitives.WriteUInt16LittleEndian(item, (ushort)v); break;
                case 4: BinaryPrimitives.WriteUInt32LittleEndian(item, (uint)v); break;
                default: BinaryPrimitives.WriteUInt64LittleEndian(item, v); break;
            }
        }

        public string FormatRaw(ReadOnlySpan<byte> item) => Kind == 'u'
            ? (BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(item) : BinaryPrimitives.ReadUInt64LittleEndian(item)).ToString(CultureInfo.InvariantCulture)
            : (BigEndian ? BinaryPrimitives.ReadInt64BigEndian(item) : BinaryPrimitives.ReadInt64LittleEndian(item)).ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Conversions between 64-bit integers and doubles that refuse to round: <see cref="HostTensor"/> holds doubles,
/// and a label or index silently changed by rounding would be a wrong tensor, not an error.
/// </summary>
internal static class ExactDouble
{
    private const double TwoTo63 = 9223372036854775808.0;
    private const double TwoTo64 = 18446744073709551616.0;

    public static bool FromInt64(long value, out double result)
    {
        result = value;
        return result < TwoTo63 && (long)result == value;
    }

    public static bool FromUInt64(ulong value, out double result)
    {
        result = value;
        return result < TwoTo64 && (ulong)result == value;
    }

    /// <summary>True when <paramref name="value"/> is a whole number in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public static bool IsIntegerInRange(double value, double min, double maxExclusive) =>
        value >= min && value < maxExclusive && Math.Floor(value) == value;
}
