namespace ZilOnnx.Tests.Robustness;

/// <summary>One field of a protobuf message as it sits on the wire.</summary>
internal sealed class WireField
{
    /// <summary>The tag's bytes as they were read (field number and wire type), kept so an unchanged file serialises back unchanged.</summary>
    public required byte[] TagBytes { get; init; }

    public required int WireType { get; init; }

    /// <summary>The value: a varint's bytes, 4 or 8 fixed bytes, or the content of a length-delimited field.</summary>
    public required byte[] Value { get; set; }

    /// <summary>The content of a length-delimited field read as a message, when it parses as one exactly; else null.</summary>
    public List<WireField>? Children { get; set; }

    public WireField Clone() => new()
    {
        TagBytes = TagBytes,
        WireType = WireType,
        Value = Value,
        Children = Children?.Select(c => c.Clone()).ToList(),
    };
}

/// <summary>
/// The protobuf wire format, as little of it as mutating a model file needs, without the schema: a message is a
/// list of fields; a length-delimited value whose bytes parse exactly as fields is taken for a nested message
/// (a string or a tensor's raw bytes occasionally do too, which is harmless for fuzzing). Serialising writes the
/// lengths of nested messages anew, so a field duplicated at any depth leaves a well-formed file.
/// </summary>
internal static class WireFormat
{
    /// <summary>How deep nested messages are looked for (ONNX's If/Loop nesting is far shallower in the fixtures).</summary>
    public const int MaxDepth = 24;

    /// <summary>The fields of a message, or null when the bytes are not a sequence of well-formed fields.</summary>
    public static List<WireField>? Parse(ReadOnlySpan<byte> bytes, int depth = 0)
    {
        var fields = new List<WireField>();
        int position = 0;
        while (position < bytes.Length)
        {
            int tagStart = position;
            if (!TryReadVarint(bytes, ref position, out ulong tag)) return null;
            int tagEnd = position;
            ulong number = tag >> 3;
            int wireType = (int)(tag & 7);
            if (number == 0 || number > 536_870_911) return null;
            int valueStart = position;
            switch (wireType)
            {
                case 0:
                    if (!TryReadVarint(bytes, ref position, out _)) return null;
                    break;
                case 1:
                    if (bytes.Length - position < 8) return null;
                    position += 8;
                    break;
                case 5:
                    if (bytes.Length - position < 4) return null;
                    position += 4;
                    break;
                case 2:
                    if (!TryReadVarint(bytes, ref position, out ulong length) || length > (ulong)(bytes.Length - position)) return null;
                    valueStart = position;
                    position += (int)length;
                    break;
                default:
                    return null; // groups (3, 4) are not used by onnx.proto; 6 and 7 are not wire types
            }
            var field = new WireField { TagBytes = bytes[tagStart..tagEnd].ToArray(), WireType = wireType, Value = bytes[valueStart..position].ToArray() };
            if (wireType == 2 && depth < MaxDepth && field.Value.Length > 0) field.Children = Parse(field.Value, depth + 1);
            fields.Add(field);
        }
        return fields;
    }

    public static byte[] Serialize(IReadOnlyList<WireField> fields)
    {
        using var stream = new MemoryStream();
        Write(stream, fields);
        return stream.ToArray();
    }

    private static void Write(Stream stream, IReadOnlyList<WireField> fields)
    {
        foreach (var field in fields)
        {
            stream.Write(field.TagBytes);
            if (field.WireType == 2)
            {
                byte[] content = field.Children is { } children ? Serialize(children) : field.Value;
                stream.Write(Varint((ulong)content.Length));
                stream.Write(content);
            }
            else
            {
                stream.Write(field.Value);
            }
        }
    }

    /// <summary>Every field at every depth, each with the list that holds it (to insert a copy next to it).</summary>
    public static IEnumerable<(List<WireField> Parent, int Index)> AllFields(List<WireField> message)
    {
        for (int i = 0; i < message.Count; i++)
        {
            yield return (message, i);
            if (message[i].Children is { } children)
                foreach (var inner in AllFields(children)) yield return inner;
        }
    }

    public static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>(10);
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        } while (value != 0);
        return [.. bytes];
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> bytes, ref int position, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (position >= bytes.Length) return false;
            byte b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return true;
        }
        return false;
    }
}
