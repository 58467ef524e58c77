using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Google.Protobuf;
using ZilOnnx.Converter.IO;
using ZilOnnx.Converter.Onnx.Proto;

[assembly: InternalsVisibleTo("ZilOnnx.Tests")]

namespace ZilOnnx.Converter.Onnx;

/// <summary>
/// Reads and writes .onnx files. A loaded model is self-contained: tensors stored in side files
/// (external data) are read into raw_data, and the model has passed <see cref="OnnxModelValidator"/>.
/// </summary>
public static class OnnxModelFile
{
    /// <summary>
    /// How deeply protobuf messages may nest in a model file (Google.Protobuf's default, named here). Every level of
    /// sub-graph costs three (node, attribute, graph), so this admits If/Loop/Scan bodies nested about 30 deep; a
    /// deeper file is refused by the parser, before anything walks the graph recursively.
    /// </summary>
    public const int MaxMessageNesting = 100;

    public static ModelProto Load(string path)
    {
        byte[] bytes = ReadModelBytes(path);
        var model = Parse(bytes, path, "not an ONNX model");
        if (model.Graph is null)
            throw new OnnxModelException(path, "not an ONNX model: the file parses as protobuf but holds no graph");

        ResolveExternalData(model, path);
        OnnxModelValidator.Validate(model, path);
        return model;
    }

    /// <summary>
    /// Writes the model with every tensor inline, atomically: readers of <paramref name="path"/> see either the
    /// old file or the complete new one, never a partial write, even if the process dies midway.
    /// </summary>
    public static void Save(ModelProto model, string path) => Save(model, path, static (m, stream) => m.WriteTo(stream));

    /// <summary>The same as <see cref="Save(ModelProto, string)"/> with the serialisation step replaceable, so
    /// tests can make a write fail halfway.</summary>
    internal static void Save(ModelProto model, string path, Action<ModelProto, Stream> writeModel)
    {
        foreach (var tensor in ModelTensors.All(model))
            if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
                throw new OnnxModelException(path, $"tensor '{tensor.Name}' still refers to external data; "
                    + "load the model with OnnxModelFile.Load, which reads it inline, before saving");

        try
        {
            AtomicFile.Write(path, stream => writeModel(model, stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The writer's messages start with the path, which the exception puts first already.
            string reason = e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message;
            throw new OnnxModelException(path, $"cannot write the model: {reason}", e);
        }
    }

    /// <summary>
    /// Parses a ModelProto with the nesting bound of <see cref="MaxMessageNesting"/>; bytes that do not parse are an
    /// <see cref="OnnxModelException"/> whose message starts with <paramref name="what"/>.
    /// </summary>
    internal static ModelProto Parse(byte[] bytes, string path, string what)
    {
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            using var input = CodedInputStream.CreateWithLimits(stream, int.MaxValue, MaxMessageNesting);
            return ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException e) when (e.Message.Contains("levels of nesting", StringComparison.Ordinal))
        {
            throw new OnnxModelException(path, $"{what}: its protobuf messages nest more than {MaxMessageNesting} levels deep "
                + "(sub-graphs of If, Loop or Scan nodes inside each other about 30 times or more), which is not supported", e);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxModelException(path,
                $"{what}: the bytes do not parse as an ONNX ModelProto; the file is truncated or of another kind ({e.Message})", e);
        }
    }

    private static byte[] ReadModelBytes(string path)
    {
        if (Directory.Exists(path))
            throw new OnnxModelException(path, "is a directory, not an ONNX model file");
        if (!File.Exists(path))
            throw new OnnxModelException(path, "file not found");
        try
        {
            // A pipe or a device has no size: reading one would wait for a writer forever, or (/dev/zero) fill memory.
            // No model is empty, so a file without a size is refused before it is opened.
            if (FileSize.Of(path) == 0)
                throw new OnnxModelException(path, "the file is empty (or a pipe or a device, which have no size), not an ONNX model");
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OnnxModelException(path, $"cannot read the file: {e.Message}", e);
        }
    }

    private static void ResolveExternalData(ModelProto model, string path)
    {
        string? folder = null;
        foreach (var tensor in ModelTensors.All(model))
        {
            if (tensor.DataLocation != TensorProto.Types.DataLocation.External) continue;
            folder ??= ExternalDataFile.ResolvedFolderOf(path);
            byte[] data = ExternalDataFile.Read(tensor, folder, path);
            tensor.RawData = UnsafeByteOperations.UnsafeWrap(data);
            tensor.ExternalData.Clear();
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
        }
    }
}

/// <summary>Every TensorProto a model holds, wherever it sits (initializers, attributes, sub-graphs).</summary>
internal static class ModelTensors
{
    public static IEnumerable<TensorProto> All(ModelProto model)
    {
        IEnumerable<TensorProto> tensors = model.Graph is null ? [] : InGraph(model.Graph);
        foreach (var training in model.TrainingInfo)
        {
            if (training.Initialization is not null) tensors = tensors.Concat(InGraph(training.Initialization));
            if (training.Algorithm is not null) tensors = tensors.Concat(InGraph(training.Algorithm));
        }
        foreach (var function in model.Functions)
            tensors = tensors.Concat(function.Node.SelectMany(InNode));
        return tensors;
    }

    private static IEnumerable<TensorProto> InGraph(GraphProto graph) =>
        graph.Initializer
            .Concat(graph.SparseInitializer.SelectMany(InSparse))
            .Concat(graph.Node.SelectMany(InNode));

    private static IEnumerable<TensorProto> InSparse(SparseTensorProto sparse) =>
        new[] { sparse.Values, sparse.Indices }.OfType<TensorProto>();

    private static IEnumerable<TensorProto> InNode(NodeProto node) =>
        node.Attribute.SelectMany(a =>
            (a.T is null ? [] : new[] { a.T })
                .Concat(a.Tensors)
                .Concat(a.SparseTensor is null ? [] : InSparse(a.SparseTensor))
                .Concat(a.SparseTensors.SelectMany(InSparse))
                .Concat(a.G is null ? [] : InGraph(a.G))
                .Concat(a.Graphs.SelectMany(InGraph)));
}

/// <summary>
/// Reads one tensor's external data, confined to the model's own folder: a model file must not be able to make
/// the program read /etc/passwd or a neighbour's files into a tensor (and then write them out on export).
/// </summary>
internal static class ExternalDataFile
{
    /// <summary>How many symbolic links one path may pass through; more means a loop.</summary>
    private const int MaxLinkHops = 40;

    public static string ResolvedFolderOf(string modelPath)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? Path.GetPathRoot(Path.GetFullPath(modelPath))!;
        return Resolve(folder, modelPath);
    }

    public static byte[] Read(TensorProto tensor, string resolvedFolder, string modelPath)
    {
        string label = $"tensor '{tensor.Name}'";
        var entries = new Dictionary<string, string>();
        foreach (var entry in tensor.ExternalData)
            if (!entries.TryAdd(entry.Key, entry.Value))
                throw new OnnxModelException(modelPath, $"{label}: external_data lists '{entry.Key}' twice");

        if (!entries.TryGetValue("location", out string? location) || location.Length == 0)
            throw new OnnxModelException(modelPath, $"{label} is marked EXTERNAL but its external_data has no 'location'");
        string dataFile = ConfinedPath(location, resolvedFolder, label, modelPath);

        long fileLength = new FileInfo(dataFile).Length;
        long offset = ParseNonNegative(entries, "offset", 0, label, modelPath);
        if (offset > fileLength)
            throw new OnnxModelException(modelPath,
                $"{label}: external data offset {offset} runs past the end of '{location}' ({fileLength} bytes)");
        long length = ParseNonNegative(entries, "length", fileLength - offset, label, modelPath);
        if (length > fileLength - offset)
            throw new OnnxModelException(modelPath,
                $"{label}: external data offset {offset} + length {length} runs past the end of '{location}' ({fileLength} bytes)");
        if (length > Array.MaxLength)
            throw new OnnxModelException(modelPath, $"{label}: external data length {length} is more than one tensor can hold");

        // Only now, with the length known to be present in the file, is anything allocated.
        var data = new byte[length];
        // Nothing to read is not read: a file without a size may be a pipe, whose open would wait for a writer.
        if (length > 0)
        {
            try
            {
                using var stream = new FileStream(dataFile, FileMode.Open, FileAccess.Read, FileShare.Read);
                stream.Seek(offset, SeekOrigin.Begin);
                stream.ReadExactly(data);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OnnxModelException(modelPath, $"{label}: cannot read external data from '{location}': {e.Message}", e);
            }
        }

        if (entries.TryGetValue("checksum", out string? checksum) && checksum.Length > 0)
        {
            // The ONNX specification defines the checksum as the SHA-1 digest of the tensor's bytes.
            string actual = Convert.ToHexString(SHA1.HashData(data));
            if (!actual.Equals(checksum, StringComparison.OrdinalIgnoreCase))
                throw new OnnxModelException(modelPath,
                    $"{label}: external data in '{location}' has SHA-1 checksum {actual.ToLowerInvariant()}, not {checksum} as declared");
        }
        return data;
    }

    private static long ParseNonNegative(Dictionary<string, string> entries, string key, long absent, string label, string modelPath)
    {
        if (!entries.TryGetValue(key, out string? text)) return absent;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            throw new OnnxModelException(modelPath, $"{label}: external data {key} '{text}' is not a non-negative integer");
        return value;
    }

    private static string ConfinedPath(string location, string resolvedFolder, string label, string modelPath)
    {
        string problem = $"{label}: external data location '{location}'";
        if (Path.IsPathRooted(location) || location.StartsWith('/') || location.StartsWith('\\'))
            throw new OnnxModelException(modelPath, $"{problem} is an absolute path; it must be relative to the model's folder");
        if (location.Split('/', '\\').Any(segment => segment == ".."))
            throw new OnnxModelException(modelPath, $"{problem} contains '..'; it must stay inside the model's folder");

        string candidate = Path.GetFullPath(Path.Combine(resolvedFolder, location));
        string resolved = Resolve(candidate, modelPath);
        if (!IsInside(resolved, resolvedFolder))
            throw new OnnxModelException(modelPath,
                $"{problem} resolves (through a symbolic link) to '{resolved}', outside the model's folder");
        if (Directory.Exists(resolved))
            throw new OnnxModelException(modelPath, $"{problem} is a directory, not a file");
        if (!File.Exists(resolved))
            throw new OnnxModelException(modelPath, $"{problem}: file not found next to the model");
        return resolved;
    }

    private static bool IsInside(string path, string folder)
    {
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        string prefix = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, comparison);
    }

    /// <summary>
    /// The path with every symbolic link along it followed, not just the last one: a link to a folder in the
    /// middle of the path leads outside as surely as a link to the file itself.
    /// </summary>
    private static string Resolve(string fullPath, string modelPath)
    {
        int hops = 0;
        string current = Path.GetPathRoot(fullPath)!;
        var pending = new Stack<string>(fullPath[current.Length..]
            .Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries)
            .Reverse());
        while (pending.TryPop(out string? part))
        {
            string next = part == "." ? current : part == ".." ? Path.GetDirectoryName(current) ?? current : Path.Combine(current, part);
            FileSystemInfo info = new FileInfo(next);
            string? linkTarget;
            try { linkTarget = info.LinkTarget; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OnnxModelException(modelPath, $"cannot follow '{next}': {e.Message}", e);
            }
            if (linkTarget is null) { current = next; continue; }

            if (++hops > MaxLinkHops)
                throw new OnnxModelException(modelPath, $"'{fullPath}' passes through more than {MaxLinkHops} symbolic links (a loop?)");
            // A link's target may itself contain links and '..', so its parts are walked like the rest.
            string target = Path.IsPathRooted(linkTarget) ? linkTarget : Path.Combine(current, linkTarget);
            string root = Path.GetPathRoot(target)!;
            foreach (string targetPart in target[root.Length..]
                         .Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries)
                         .Reverse())
                pending.Push(targetPart);
            current = root;
        }
        return current;
    }
}
