using System.IO.Compression;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// An .npz holding `x` (the inputs; or an array named like the graph input) and `y` (the targets). Only these two
/// members are read; the archive stays open while the reader lives.
/// </summary>
public sealed class NpzSampleReader : ArrayPairReader
{
    private readonly ZipArchive _zip;

    private NpzSampleReader(string path, IArrayReader inputs, IArrayReader targets, ZipArchive zip) : base(path, inputs,
        targets) => _zip = zip;

    /// <summary>Any file that no other format claims is read as an .npz (and refused with the reason if it is not one).</summary>
    public static bool Recognizes(string source) => File.Exists(source);

    public static NpzSampleReader Open(string path, string inputName)
    {
        ZipArchive zip = NpzArchive.OpenArchive(path);
        try
        {
            var members = NpzArchive.Members(zip, path);
            string names = inputName == "x" ? "'x'" : $"'x' or '{inputName}'";
            string xName = members.ContainsKey("x") ? "x"
                : members.ContainsKey(inputName) ? inputName
                : throw new DataFormatException(path, null,
                    $"no array {names} with the inputs (arrays: {string.Join(", ", members.Keys)})");
            if (!members.TryGetValue("y", out var y))
                throw new DataFormatException(path, null, $"no array 'y' with the targets (arrays: {string.Join(", ", members.Keys)})");
            var reader = new NpzSampleReader(path, NpzArchive.ArrayReader(path, xName, members[xName], xName), NpzArchive.ArrayReader(path,
                "y", y, "y"), zip);
            PixelNotice.AddTo(reader);
            return reader;
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    public override void Dispose()
    {
        _zip.Dispose();
        base.Dispose();
    }
}
