using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Trainer.Data;

public enum DataSplit { Train, Test }

/// <summary>
/// Resolves a DATA argument (docs/cli.md): an .npz with `x` (or the graph input's name) and `y`; a pair of .npy
/// files; a folder of MNIST-layout IDX files; or the name `fashion-mnist`. Inputs are reshaped to the model's input when only a
/// unit channel axis is missing (IDX images are [N, 28, 28], a CNN wants [N, 1, 28, 28]).
/// </summary>
public static class DataSources
{
    public const string FashionMnist = "fashion-mnist";
    public const string DataFolderVariable = "ZILONNX_DATA";
    public const string DebianFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    /// <param name="integerInput">The model input is int32/int64 (token ids): x must be integer and stays so.</param>
    public static DataSet Load(string source, DataSplit split, string inputName, IReadOnlyList<long?> modelInputShape, bool integerInput = false)
    {
        string? notice = null;
        var (inputs, targets, origin) = source == FashionMnist ? FromFolder(FindFashionMnist(out notice), split)
            : NpyPair(source) is { } pair ? FromNpy(pair.Inputs, pair.Targets)
            : Directory.Exists(source) ? FromFolder(source, split)
            : File.Exists(source) ? FromNpz(source, inputName)
            : throw new FileNotFoundException($"{source}: no such data file or folder (expected an .npz, X.npy,Y.npy, a folder with x.npy and y.npy, an IDX folder or '{FashionMnist}')");
        CheckElementType(inputs, integerInput, origin);
        return new DataSet(origin, inputName, FitToModel(inputs, modelInputShape, origin), targets, integerInput) { Notice = notice };
    }

    /// <summary>
    /// The files and folders a DATA argument names, found as <see cref="Load"/> finds them but not read: what no
    /// output may replace. Empty where the argument names nothing (loading it then says so).
    /// </summary>
    public static IReadOnlyList<string> Locate(string source)
    {
        if (source == FashionMnist)
        {
            try { return [FindFashionMnist(out _)]; }
            catch (FileNotFoundException) { return []; }
        }
        // A folder of x.npy and y.npy is a folder like an IDX one: every file in it is data.
        if (Directory.Exists(source)) return [source];
        if (NpyPair(source) is { } pair) return [pair.Inputs, pair.Targets];
        return File.Exists(source) ? [source] : [];
    }

    /// <summary>Ids and values do not mix: floats cannot index a table, and ids are no measurements to scale.</summary>
    private static void CheckElementType(HostTensor x, bool integerInput, string origin)
    {
        if (integerInput && !ModelInputs.IsIdType(x.ElementType))
            throw new DataFormatException(origin, "x", $"the model input is integer (token ids), so x must be int32 or int64, got {x.ElementType}");
        if (!integerInput && !x.IsFloatingPoint && x.ElementType != TensorProto.Types.DataType.Uint8)
            throw new DataFormatException(origin, "x", $"inputs must be floating point for a floating-point model input, got {x.ElementType}");
    }

    /// <summary>The subset of Fashion-MNIST that ships with the program (models/data), copied next to this assembly.</summary>
    public static string EmbeddedFashionMnistFolder => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");

    /// <summary>
    /// The full data set where the user or Debian put it, else the embedded subset, so that the name works on a
    /// fresh machine; <paramref name="notice"/> says when the subset stands in.
    /// </summary>
    public static string FindFashionMnist(out string? notice)
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable(DataFolderVariable) is { Length: > 0 } custom)
            candidates.AddRange([Path.Combine(custom, FashionMnist), custom]);
        candidates.Add(DebianFashionMnistFolder);
        return FindFashionMnist(candidates, EmbeddedFashionMnistFolder, out notice);
    }

    /// <summary>The first candidate folder holding the full set, else the embedded one.</summary>
    public static string FindFashionMnist(IReadOnlyList<string> candidates, string embedded, out string? notice)
    {
        notice = null;
        if (candidates.FirstOrDefault(HasIdxImages) is { } full) return full;
        if (HasIdxImages(embedded))
        {
            notice = $"Fashion-MNIST is not installed ({string.Join(", ", candidates)}); using the embedded subset " +
                     "(4,000 training and 1,000 test images). For the full set: apt-get install dataset-fashion-mnist";
            return embedded;
        }
        throw new FileNotFoundException(
            $"Fashion-MNIST was not found in {string.Join(", ", candidates.Append(embedded))}: install it with `apt-get install dataset-fashion-mnist` or set {DataFolderVariable}");
    }

    private static bool HasIdxImages(string folder) => IdxFile(folder, "train-images-idx3-ubyte") != null;

    private static (HostTensor, HostTensor, string) FromFolder(string folder, DataSplit split)
    {
        string prefix = split == DataSplit.Train ? "train" : "t10k";
        string images = IdxFile(folder, $"{prefix}-images-idx3-ubyte") ?? throw new FileNotFoundException($"{folder}: no {prefix}-images-idx3-ubyte[.gz]");
        string labels = IdxFile(folder, $"{prefix}-labels-idx1-ubyte") ?? throw new FileNotFoundException($"{folder}: no {prefix}-labels-idx1-ubyte[.gz]");
        var pixels = IdxFormat.Read(images);
        // Pixels are scaled to [0, 1] (docs/cli.md).
        var scaled = new HostTensor(TensorProto.Types.DataType.Float, pixels.Shape, Array.ConvertAll(pixels.Values, v => v / 255.0));
        var classes = IdxFormat.Read(labels);
        return (scaled, new HostTensor(TensorProto.Types.DataType.Int64, classes.Shape, classes.Values), images);
    }

    private static string? IdxFile(string folder, string name) =>
        new[] { name, name + ".gz" }.Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists);

    /// <summary>
    /// A pair of .npy files: `X.npy,Y.npy`, or a folder holding `x.npy` and `y.npy` (what numpy.save writes for
    /// two arrays); null for anything else.
    /// </summary>
    private static (string Inputs, string Targets)? NpyPair(string source)
    {
        string[] parts = source.Split(',');
        if (parts.Length == 2 && parts.All(p => p.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))) return (parts[0], parts[1]);
        if (Directory.Exists(source) && File.Exists(Path.Combine(source, "x.npy")))
            return (Path.Combine(source, "x.npy"), Path.Combine(source, "y.npy"));
        return null;
    }

    private static (HostTensor, HostTensor, string) FromNpy(string inputs, string targets)
    {
        foreach (string file in new[] { inputs, targets })
            if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such .npy file (a pair of .npy files is inputs,targets)");
        return (NpyFormat.Read(inputs), NpyFormat.Read(targets), inputs);
    }

    private static (HostTensor, HostTensor, string) FromNpz(string path, string inputName)
    {
        var arrays = NpzArchive.Read(path);
        HostTensor x = arrays.TryGetValue("x", out var byX) ? byX
            : arrays.TryGetValue(inputName, out var byName) ? byName
            : throw new DataFormatException(path, null, $"no array 'x' or '{inputName}' (arrays: {string.Join(", ", arrays.Keys)})");
        HostTensor y = arrays.TryGetValue("y", out var targets) ? targets
            : throw new DataFormatException(path, null, $"no array 'y' with the targets (arrays: {string.Join(", ", arrays.Keys)})");
        return (x, y, path);
    }

    /// <summary>Checks the inputs against the model's declared input and adds a missing unit channel axis.</summary>
    private static HostTensor FitToModel(HostTensor inputs, IReadOnlyList<long?> modelShape, string origin)
    {
        if (modelShape.Count == 0) return inputs;
        var x = inputs;
        if (x.Rank + 1 == modelShape.Count && modelShape[1] == 1)
            x = x.WithShape([x.Shape[0], 1, .. x.Shape[1..]]);
        if (x.Rank != modelShape.Count)
            throw new DataFormatException(origin, "x", $"inputs have shape [{string.Join(", ", inputs.Shape)}] but the model expects rank {modelShape.Count} ({Describe(modelShape)})");
        for (int i = 1; i < x.Rank; i++)
            if (modelShape[i] is { } expected && expected != x.Shape[i])
                throw new DataFormatException(origin, "x", $"inputs have shape [{string.Join(", ", x.Shape)}] but the model expects {Describe(modelShape)}");
        return x;
    }

    private static string Describe(IReadOnlyList<long?> shape) => "[" + string.Join(", ", shape.Select(d => d?.ToString() ?? "?")) + "]";
}
