using System.IO.Compression;
using ZilOnnx.Converter.IO;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Reads and writes NumPy <c>.npz</c> archives: a zip file whose members are <c>NAME.npy</c>, stored
/// (<c>np.savez</c>) or deflated (<c>np.savez_compressed</c>). Arrays keep the order of the archive, so
/// writing what was read reproduces the same member order.
/// </summary>
public static class NpzArchive
{
    private const string MemberSuffix = ".npy";

    /// <summary>Reads every array of the archive, in archive order, keyed by name without the .npy suffix.</summary>
    /// <param name="budget">Memory the arrays may take (held as doubles), checked from each header before its data are read; null: no
    /// bound.</param>
    public static OrderedDictionary<string, HostTensor> Read(string path, DataBudget? budget = null)
    {
        using ZipArchive zip = OpenArchive(path);
        var arrays = new OrderedDictionary<string, HostTensor>(StringComparer.Ordinal);
        foreach ((string name, ZipArchiveEntry entry) in Members(zip, path))
            arrays.Add(name, ReadMember(path, name, entry, budget));
        return arrays;
    }

    /// <summary>Opens the archive for reading (the zip directory only), or says why the file is not one.</summary>
    internal static ZipArchive OpenArchive(string path)
    {
        FileStream file = NpyFormat.OpenForReading(path);
        try
        {
            return new ZipArchive(file, ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            file.Dispose();
            throw new DataFormatException(path, null, $"not an .npz archive: expected a zip file of NAME.npy members ({e.Message})", e);
        }
    }

    /// <summary>The archive's arrays by name, in archive order, without reading any of them.</summary>
    internal static OrderedDictionary<string, ZipArchiveEntry> Members(ZipArchive zip, string path)
    {
        var members = new OrderedDictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            if (entry.FullName.EndsWith('/')) continue; // a folder entry holds no data
            if (!entry.FullName.EndsWith(MemberSuffix, StringComparison.Ordinal))
                throw new DataFormatException(path, null, $"member '{entry.FullName}' is not an array: expected only NAME.npy members");

            string name = entry.FullName[..^MemberSuffix.Length];
            if (!members.TryAdd(name, entry))
                throw new DataFormatException(path, name, "the archive holds this array twice: expected unique names");
        }
        return members;
    }

    /// <summary>A member read by rows (its header read now), under the name <paramref name="layoutName"/> in layouts.</summary>
    internal static IArrayReader ArrayReader(string path, string name, ZipArchiveEntry entry, string layoutName) =>
        new MemberReader(path, name, Decompressing(path, name, () => NpyArrayReader.Open(() => Inflate(entry), layoutName, path, name)),
            CompressedBytes(entry));

    /// <summary>A deflated member's compressed size (what its inflation is measured against), or null for a stored one.</summary>
    private static long? CompressedBytes(ZipArchiveEntry entry) => entry.CompressedLength < entry.Length ? entry.CompressedLength : null;

    /// <summary>
    /// Writes the arrays as NAME.npy members, atomically: a reader of <paramref name="path"/> sees either the old
    /// file or the complete new one, never a half-written archive (an interrupted run must not destroy data).
    /// </summary>
    /// <param name="compress">Deflate the members, like <c>np.savez_compressed</c>; otherwise store them like <c>np.savez</c>.</param>
    /// <param name="texts">Arrays of strings written after the others (<see cref="NpyFormat.WriteStrings"/>), e.g. the
    /// files that rows of the arrays belong to; this reader does not read them back, NumPy does.</param>
    public static void Write(string path, IEnumerable<KeyValuePair<string, HostTensor>> arrays, bool compress = false,
        IEnumerable<KeyValuePair<string, IReadOnlyList<string>>>? texts = null)
    {
        AtomicFile.Write(path, file =>
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            var written = new HashSet<string>(StringComparer.Ordinal);
            Stream Member(string name)
            {
                ValidateName(path, name);
                if (!written.Add(name))
                    throw new DataFormatException(path, name, "the array name is given twice: expected unique names");
                return zip.CreateEntry(name + MemberSuffix, compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression).Open();
            }
            foreach ((string name, HostTensor tensor) in arrays)
            {
                using Stream member = Member(name);
                NpyFormat.Write(member, tensor, path, name);
            }
            foreach ((string name, IReadOnlyList<string> values) in texts ?? [])
            {
                using Stream member = Member(name);
                NpyFormat.WriteStrings(member, values);
            }
        });
    }

    private static HostTensor ReadMember(string path, string name, ZipArchiveEntry entry, DataBudget? budget) =>
        Decompressing(path, name, () =>
        {
            using Stream member = Inflate(entry);
            return NpyFormat.Read(member, path, name, budget, CompressedBytes(entry));
        });

    /// <summary>
    /// The member's bytes as they inflate. Inflating is bounded twice: .NET's entry stream ends at the size the zip
    /// directory declares (its decompressor counts the bytes it produces), and the readers take no more than the .npy
    /// header declares, which the data budget has accepted before. A member cannot grow past either, however it is compressed.
    /// </summary>
    private static Stream Inflate(ZipArchiveEntry entry) => entry.Open();

    private static T Decompressing<T>(string path, string name, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            // Unsupported compression methods, corrupt deflate streams and CRC mismatches all land here.
            throw new DataFormatException(path, name,
                $"the zip member cannot be decompressed: expected a stored or deflated member ({e.Message})", e);
        }
    }

    /// <summary>A member's rows, with decompression failures said as such.</summary>
    private sealed class MemberReader(string path, string name, IArrayReader inner, long? compressedBytes) : IArrayReader
    {
        public ArrayLayout Layout { get; } = inner.Layout with { CompressedBytes = compressedBytes };
        public SampleArray ReadRows(long start, long count) => Decompressing(path, name, () => inner.ReadRows(start, count));
    }

    private static void ValidateName(string path, string name)
    {
        if (name.Length == 0 || name.IndexOfAny(['/', '\\', '\0']) >= 0)
            throw new DataFormatException(path, name, "invalid array name: expected a non-empty name without '/', '\\' or NUL");
    }

}
