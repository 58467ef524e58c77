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
    public static OrderedDictionary<string, HostTensor> Read(string path)
    {
        using FileStream file = NpyFormat.OpenForReading(path);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, null, $"not an .npz archive: expected a zip file of NAME.npy members ({e.Message})", e);
        }

        using (zip)
        {
            var arrays = new OrderedDictionary<string, HostTensor>(StringComparer.Ordinal);
            foreach (ZipArchiveEntry entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue; // a folder entry holds no data
                if (!entry.FullName.EndsWith(MemberSuffix, StringComparison.Ordinal))
                    throw new DataFormatException(path, null, $"member '{entry.FullName}' is not an array: expected only NAME.npy members");

                string name = entry.FullName[..^MemberSuffix.Length];
                if (arrays.ContainsKey(name))
                    throw new DataFormatException(path, name, "the archive holds this array twice: expected unique names");
                arrays.Add(name, ReadMember(path, name, entry));
            }
            return arrays;
        }
    }

    /// <summary>
    /// Writes the arrays as NAME.npy members, atomically: a reader of <paramref name="path"/> sees either the old
    /// file or the complete new one, never a half-written archive (an interrupted run must not destroy data).
    /// </summary>
    /// <param name="compress">Deflate the members, like <c>np.savez_compressed</c>; otherwise store them like <c>np.savez</c>.</param>
    public static void Write(string path, IEnumerable<KeyValuePair<string, HostTensor>> arrays, bool compress = false)
    {
        AtomicFile.Write(path, file =>
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string name, HostTensor tensor) in arrays)
            {
                ValidateName(path, name);
                if (!written.Add(name))
                    throw new DataFormatException(path, name, "the array name is given twice: expected unique names");
                ZipArchiveEntry entry = zip.CreateEntry(name + MemberSuffix, compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                using Stream member = entry.Open();
                NpyFormat.Write(member, tensor, path, name);
            }
        });
    }

    private static HostTensor ReadMember(string path, string name, ZipArchiveEntry entry)
    {
        try
        {
            using Stream member = entry.Open();
            return NpyFormat.Read(member, path, name);
        }
        catch (InvalidDataException e)
        {
            // Unsupported compression methods, corrupt deflate streams and CRC mismatches all land here.
            throw new DataFormatException(path, name, $"the zip member cannot be decompressed: expected a stored or deflated member ({e.Message})", e);
        }
    }

    private static void ValidateName(string path, string name)
    {
        if (name.Length == 0 || name.IndexOfAny(['/', '\\', '\0']) >= 0)
            throw new DataFormatException(path, name, "invalid array name: expected a non-empty name without '/', '\\' or NUL");
    }

}
