using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.IO;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Converter.Pcn;

/// <summary>
/// The .pcn file: a zip holding the ONNX model with the current parameters (`model.onnx`), a description of
/// the PCN built from it (`pcn.json`, for people and tools; the graph is always rebuilt from the model, so
/// the two cannot disagree), and optional extra entries such as a training checkpoint's state.
/// </summary>
public static class PcnArchive
{
    public const string ModelEntry = "model.onnx";
    public const string DescriptionEntry = "pcn.json";
    public const int FormatVersion = 1;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower
    };

    public static void Write(string path, ModelProto model, PcGraph graph, IReadOnlyDictionary<string, byte[]>? extraEntries = null) =>
        Write(path, model.ToByteArray(), graph, extraEntries);

    /// <summary>The same with the model already serialized: a checkpoint hashes exactly the bytes it stores.</summary>
    public static void Write(string path, byte[] modelBytes, PcGraph graph, IReadOnlyDictionary<string, byte[]>? extraEntries = null)
    {
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            Add(zip, ModelEntry, modelBytes);
            var description = new { format = "zilonnx-pcn", version = FormatVersion, graph = PcGraphDescription.Of(graph) };
            Add(zip, DescriptionEntry, JsonSerializer.SerializeToUtf8Bytes(description, Json));
            foreach (var (name, bytes) in extraEntries ?? new Dictionary<string, byte[]>()) Add(zip, name, bytes);
        });
    }

    /// <summary>
    /// Reads the model (validated like any ONNX file), every other entry, and the SHA-256 (lower-case hex) of the
    /// model entry's bytes, which a checkpoint's manifest records.
    /// </summary>
    public static (ModelProto Model, Dictionary<string, byte[]> Entries, string ModelSha256) Read(string path)
    {
        Dictionary<string, byte[]> entries;
        try
        {
            // As for .onnx files: a pipe or a device has no size, and opening or reading it would not end.
            if (FileSize.Of(path) == 0) throw new OnnxModelException(path,
                "the file is empty (or a pipe or a device, which have no size), not a .pcn file");
            using var zip = ZipFile.OpenRead(path);
            entries = zip.Entries.Where(e => e.Length <= 4L << 30).ToDictionary(e => e.FullName, e =>
            {
                using var s = e.Open();
                using var buffer = new MemoryStream();
                s.CopyTo(buffer);
                return buffer.ToArray();
            });
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new OnnxModelException(path, $"not a readable .pcn file ({e.Message})");
        }
        if (!entries.Remove(ModelEntry, out var modelBytes))
            throw new OnnxModelException(path, $"the .pcn file has no {ModelEntry} entry");
        ModelProto model = OnnxModelFile.Parse(modelBytes, path, $"{ModelEntry} is not an ONNX model");
        OnnxModelValidator.Validate(model, path);
        entries.Remove(DescriptionEntry);
        return (model, entries, Convert.ToHexStringLower(SHA256.HashData(modelBytes)));
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        entry.Write(bytes);
    }
}
