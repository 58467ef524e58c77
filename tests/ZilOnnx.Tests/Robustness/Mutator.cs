namespace ZilOnnx.Tests.Robustness;

public enum MutationKind
{
    /// <summary>1 to 8 random bits flipped.</summary>
    BitFlips,
    /// <summary>Cut at a random point.</summary>
    Truncation,
    /// <summary>A random field, at the top level or nested at any depth, written twice in a row.</summary>
    FieldDuplication,
    /// <summary>A random varint field (a dimension, an attribute's integer, a type code, ...) set to an extreme value.</summary>
    ExtremeVarint,
    /// <summary>1 to 16 random bytes inserted at a random point of the file, or of a string or bytes field (its length rewritten).</summary>
    ByteInsertion,
    /// <summary>1 to 16 bytes removed at a random point of the file, or of a string or bytes field (its length rewritten).</summary>
    ByteDeletion,
}

/// <summary>Deterministic mutations of a file's bytes: the same input, kind and random state give the same mutant.</summary>
public static class Mutator
{
    /// <summary>The values an <see cref="MutationKind.ExtremeVarint"/> mutation writes (as 64-bit two's complement).</summary>
    private static readonly ulong[] ExtremeValues =
    [
        0, 1, 2, 255, 65_535, int.MaxValue, (ulong)int.MaxValue + 1, uint.MaxValue, (ulong)uint.MaxValue + 1,
        1_000_000_000_000, 1UL << 62, long.MaxValue, unchecked((ulong)long.MinValue), unchecked((ulong)-1L), unchecked((ulong)-2L),
        unchecked((ulong)(long)int.MinValue),
    ];

    public static string Describe(MutationKind kind) => kind switch
    {
        MutationKind.BitFlips => "bit flips (1-8 random bits)",
        MutationKind.Truncation => "truncation at a random point",
        MutationKind.FieldDuplication => "a random protobuf field (any depth) duplicated",
        MutationKind.ExtremeVarint => "a random varint field set to an extreme value (0, 2^31, 2^32, 10^12, 2^63-1, -1, ...)",
        MutationKind.ByteInsertion => "1-16 random bytes inserted (anywhere, or into a string or bytes field with its length rewritten)",
        MutationKind.ByteDeletion => "1-16 bytes deleted (anywhere, or from a string or bytes field with its length rewritten)",
        _ => kind.ToString(),
    };

    /// <summary>
    /// The mutant. The two protobuf-aware kinds fall back to byte-level ones on bytes that do not parse as fields
    /// (duplication: a random byte range copied next to itself; extreme varint: bit flips).
    /// </summary>
    public static byte[] Mutate(byte[] original, MutationKind kind, Random random) => kind switch
    {
        MutationKind.BitFlips => FlipBits(original, random),
        MutationKind.Truncation => original[..random.Next(original.Length)],
        MutationKind.FieldDuplication => DuplicateField(original, random),
        MutationKind.ExtremeVarint => SetExtremeVarint(original, random),
        MutationKind.ByteInsertion => InsideAField(original, random, InsertBytes),
        MutationKind.ByteDeletion => InsideAField(original, random, DeleteBytes),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static byte[] FlipBits(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        int flips = random.Next(1, 9);
        for (int i = 0; i < flips; i++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        return bytes;
    }

    private static byte[] InsertBytes(byte[] original, Random random)
    {
        var inserted = new byte[random.Next(1, 17)];
        random.NextBytes(inserted);
        int at = random.Next(original.Length + 1);
        return [.. original[..at], .. inserted, .. original[at..]];
    }

    private static byte[] DeleteBytes(byte[] original, Random random)
    {
        int at = random.Next(original.Length);
        int count = Math.Min(random.Next(1, 17), original.Length - at);
        return [.. original[..at], .. original[(at + count)..]];
    }

    /// <summary>
    /// Half the time the change applied to the whole file (which breaks the lengths around it, a test of the parser);
    /// else to the value of a random length-delimited field that is not a message (a name, raw_data, ...), with the
    /// lengths around it written anew, so the mutant parses and tests what comes after.
    /// </summary>
    private static byte[] InsideAField(byte[] original, Random random, Func<byte[], Random, byte[]> change)
    {
        var message = random.Next(2) == 0 ? null : WireFormat.Parse(original);
        var leaves = message is null ? []
            : WireFormat.AllFields(message).Where(f => f.Parent[f.Index] is { WireType: 2, Children: null, Value.Length: > 0 }).ToList();
        if (leaves.Count == 0) return change(original, random);
        var (parent, index) = leaves[random.Next(leaves.Count)];
        parent[index].Value = change(parent[index].Value, random);
        return WireFormat.Serialize(message!);
    }

    private static byte[] DuplicateField(byte[] original, Random random)
    {
        var message = WireFormat.Parse(original);
        if (message is null || message.Count == 0)
        {
            int start = random.Next(original.Length);
            int length = Math.Min(random.Next(1, 65), original.Length - start);
            return [.. original[..(start + length)], .. original[start..(start + length)], .. original[(start + length)..]];
        }
        var fields = WireFormat.AllFields(message).ToList();
        var (parent, index) = fields[random.Next(fields.Count)];
        parent.Insert(index + 1, parent[index].Clone());
        return WireFormat.Serialize(message);
    }

    private static byte[] SetExtremeVarint(byte[] original, Random random)
    {
        var message = WireFormat.Parse(original);
        var varints = message is null ? [] : WireFormat.AllFields(message).Where(f => f.Parent[f.Index].WireType == 0).ToList();
        if (varints.Count == 0) return FlipBits(original, random);
        var (parent, index) = varints[random.Next(varints.Count)];
        parent[index].Value = WireFormat.Varint(ExtremeValues[random.Next(ExtremeValues.Length)]);
        return WireFormat.Serialize(message!);
    }
}
