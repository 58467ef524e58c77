using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Data.Preprocessing;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Resolves a DATA argument (docs/cli.md) to the reader of its format (<see cref="Open"/>) and loads it for a model
/// (<see cref="Load"/>): the headers are checked against the model's input and the data budget before any sample is
/// read, and the samples are then held in their stored types, or, for images, streamed from their files batch by batch. Inputs are reshaped
/// to the model's input when only a
/// unit channel axis is missing (IDX images are [N, 28, 28], a CNN wants [N, 1, 28, 28]).
/// </summary>
public static class DataSources
{
    public const string FashionMnist = FashionMnistLookup.Name;

    /// <summary>
    /// The reader of a DATA argument, chosen by what it is: the name fashion-mnist; a pair of .npy files (or a folder
    /// with x.npy and y.npy); a .csv or .tsv table; an image folder (subfolders of images, no IDX files); an IDX folder;
    /// any other file, read as an .npz. Only headers are read (a table is scanned once for its row count and label type,
    /// holding nothing).
    /// </summary>
    /// <param name="inputName">The graph input, whose name may name the inputs' array in an .npz.</param>
    /// <param name="modelInputShape">The model input's shape, which says the channels and size images are read as.</param>
    /// <param name="labelColumn">A table's targets column (--label-column); null: its last column. Other sources have no columns to
    /// pick.</param>
    /// <param name="preprocessing">How images are resized and cropped (image sources only), and their layout.</param>
    public static ISampleReader Open(string source, DataSplit split, string inputName, IReadOnlyList<long?>? modelInputShape = null,
        string? labelColumn = null, ImagePreprocessing? preprocessing = null) =>
        FashionMnistLookup.Recognizes(source) ? FashionMnistLookup.Open(split)
        : CsvSampleReader.Recognizes(source) ? CsvSampleReader.Open(source, labelColumn)
        : NpyPairSampleReader.Recognizes(source) ? NpyPairSampleReader.Open(source)
        : ImageFolderSampleReader.Recognizes(source) ? ImageFolderSampleReader.Open(source, split, modelInputShape ?? [], preprocessing)
        : IdxFolderSampleReader.Recognizes(source) ? IdxFolderSampleReader.Open(source, split)
        : NpzSampleReader.Recognizes(source) ? NpzSampleReader.Open(source, inputName)
        : throw new FileNotFoundException($"{source}: no such data file or folder (expected an .npz, a .csv or .tsv, X.npy,Y.npy, a " +
            $"folder with x.npy and y.npy, an image folder, an IDX folder or '{FashionMnist}')");

    /// <param name="integerInput">The model input is int32/int64 (token ids): x must be integer and stays so.</param>
    /// <param name="budget">The memory the data may take, shared by the data sets of one command; default: what is available now.</param>
    /// <param name="preprocessing">Resize and crop (image sources), normalization and layout (any source); null: none.</param>
    public static DataSet Load(string source, DataSplit split, string inputName, IReadOnlyList<long?> modelInputShape,
        bool integerInput = false,
        DataBudget? budget = null, string? labelColumn = null, ImagePreprocessing? preprocessing = null)
    {
        using var reader = Open(source, split, inputName, modelInputShape, labelColumn, preprocessing);
        string origin = reader.Origin;
        if (preprocessing is { ChangesGeometry: true } && reader.Applied == null)
            throw new DataFormatException(origin, null,
                $"{Setting.Resize} and {Setting.CenterCrop} apply to image files (an image folder), and this source holds arrays; " +
                                                        "resize the arrays before saving them, or leave the options out");
        SampleAxes.Check(origin, reader.Inputs.Shape, reader.Targets.Shape, reader.TargetsFile);
        CheckElementType(reader.Inputs.ElementType, integerInput, origin);
        var notices = new List<string>(reader.Notices);
        // An image source reads in the model's layout; arrays come as they were saved and may need their axes moved.
        string? dataLayout = reader.Applied?.Layout ?? ArrayLayoutFor(reader.Inputs.Shape, modelInputShape, preprocessing?.Layout, origin,
            notices);
        string modelLayout = InputLayout.Of(modelInputShape) ?? dataLayout ?? InputLayout.Nchw;
        bool transpose = dataLayout != null && dataLayout != modelLayout;
        long[] fitted = FitToModel(transpose ? InputLayout.Swap(reader.Inputs.Shape, dataLayout!) : reader.Inputs.Shape, modelInputShape,
            origin);

        var (held, targets) = Samples(reader, budget ?? DataBudget.Of(null));
        // Only held arrays (an .npz of NHWC images) are transposed; streamed images are decoded in the model's layout.
        var inputs = transpose && held is SampleArray array ? array.Transposed(InputLayout.Permutation(dataLayout!)) : held;
        var applied = (reader.Applied ?? preprocessing ?? new ImagePreprocessing()) with
        {
            Layout = fitted.Length == 4 ? modelLayout
            : null
        };
        var set = new DataSet(origin, inputName, inputs.WithShape(fitted), targets, integerInput, reader.TargetsFile)
        {
            Notices = notices,
            ClassNames = reader.ClassNames,
            Preprocessing = applied,
            Normalization = integerInput ? null : ChannelNormalization.For(applied, fitted[1..], InputLayout.ChannelAxis(modelLayout,
                fitted.Length), origin),
        };
        // Whatever command reads the data, a NaN in it is the file's fault, not a result to report (eval's loss NaN).
        DataValidation.CheckInputs(set);
        return set;
    }

    /// <summary>
    /// The samples, held or streamed: a streaming reader's (images) stay in their files and only what the source holds
    /// (the file list, the labels) is taken from the budget; the others are read whole, after both arrays are known to
    /// fit, so nothing is allocated or inflated before.
    /// </summary>
    private static (SampleSource Inputs, SampleArray Targets) Samples(ISampleReader reader, DataBudget budget)
    {
        if (reader is IStreamingSampleReader streaming)
        {
            var streamed = streaming.Stream();
            budget.Reserve(reader.Origin, $"the file list and labels of {streamed.Inputs.Count} samples", streamed.Inputs.HeldBytes
                + streamed.Targets.HeldBytes);
            return (streamed.Inputs, streamed.Targets);
        }
        budget.Reserve(reader.Origin, reader.Inputs.Name, reader.Inputs);
        budget.Reserve(reader.Origin, reader.Targets.Name, reader.Targets);
        var samples = reader.Read(0, reader.Inputs.Samples);
        return (samples.Inputs, samples.Targets);
    }

    /// <summary>
    /// The layout of 4-D arrays whose axes must move to fit the model: the one --layout names, or, when the arrays do not
    /// fit the model as they are but do with their channels moved, the other one (said in a notice). Null: as they are.
    /// </summary>
    private static string? ArrayLayoutFor(long[] shape, IReadOnlyList<long?> modelShape, string? given, string origin, List<string> notices)
    {
        if (shape.Length != 4 || modelShape.Count != 4) return null;
        if (given != null) return given;
        string modelLayout = InputLayout.Of(modelShape)!;
        string other = modelLayout == InputLayout.Nchw ? InputLayout.Nhwc : InputLayout.Nchw;
        if (Fits(shape, modelShape) || !Fits(InputLayout.Swap(shape, other), modelShape)) return null;
        notices.Add($"{origin}: x has shape [{string.Join(", ", shape)}], which fits the model's input {Describe(modelShape)} with its " +
            $"channels moved: read as {other.ToUpperInvariant()} and transposed to {modelLayout.ToUpperInvariant()} " +
            $"({Setting.Layout} {other} says so explicitly)");
        return other;
    }

    private static bool Fits(long[] shape, IReadOnlyList<long?> modelShape) => shape.Skip(1).Zip(modelShape.Skip(1)).All(p =>
        p.Second is not { } d || d == p.First);

    /// <summary>
    /// The files and folders a DATA argument names, found as <see cref="Open"/> finds them but not read: what no
    /// output may replace. Empty where the argument names nothing (loading it then says so).
    /// </summary>
    public static IReadOnlyList<string> Locate(string source)
    {
        if (FashionMnistLookup.Recognizes(source))
        {
            try { return [FashionMnistLookup.Find(out _)]; }
            catch (FileNotFoundException) { return []; }
        }
        // A folder of x.npy and y.npy, or of class folders of images, is a folder like an IDX one: every file in it is data.
        if (Directory.Exists(source)) return [source];
        if (NpyPairSampleReader.Files(source) is { } pair) return [pair.Inputs, pair.Targets];
        return File.Exists(source) ? [source] : [];
    }

    /// <summary>
    /// A label column given for --data without columns is a mistake to say, not an option to ignore. Only the main
    /// data argument is checked: held-out data may be of another kind (an .npz beside a training table).
    /// </summary>
    public static void CheckLabelColumnApplies(string source, string? labelColumn)
    {
        if (labelColumn != null && !CsvSampleReader.Recognizes(source) && (File.Exists(source) || Directory.Exists(source)))
            throw new SettingException($"{Setting.LabelColumn} picks a column of a .csv or .tsv table; {source} is none");
    }

    /// <summary>
    /// Ids and values do not mix: floats cannot index a table, and ids are no measurements to scale. uint8 inputs are
    /// images (scaled to [0, 1]); other integers cannot feed a floating-point input.
    /// </summary>
    private static void CheckElementType(DataType x, bool integerInput, string origin)
    {
        if (integerInput && !ModelInputs.IsIdType(x))
            throw new DataFormatException(origin, "x",
                $"the model input is integer (token ids), so x must be int32 or int64, got {SampleTypes.Name(x)}");
        if (!integerInput && !SampleTypes.IsFloatingPoint(x) && !SampleTypes.IsPixels(x))
            throw new DataFormatException(origin, "x",
                "inputs must be floating point (float16, float32 or float64) or uint8 images (scaled to [0, 1]) " +
                                                       $"for a floating-point model input, got {SampleTypes.Name(x)}");
    }

    /// <summary>Checks the inputs' shape against the model's declared input; the shape with a missing unit channel axis added.</summary>
    private static long[] FitToModel(long[] inputs, IReadOnlyList<long?> modelShape, string origin)
    {
        if (modelShape.Count == 0) return inputs;
        long[] x = inputs;
        if (x.Length + 1 == modelShape.Count && modelShape[1] == 1)
            x = [x[0], 1, .. x[1..]];
        if (x.Length != modelShape.Count)
            throw new DataFormatException(origin, "x",
                $"inputs have shape [{string.Join(", ", inputs)}] but the model expects rank {modelShape.Count} ({Describe(modelShape)})");
        for (int i = 1; i < x.Length; i++)
            if (modelShape[i] is { } expected && expected != x[i])
                throw new DataFormatException(origin, "x",
                    $"inputs have shape [{string.Join(", ", x)}] but the model expects {Describe(modelShape)}");
        return x;
    }

    private static string Describe(IReadOnlyList<long?> shape) => "[" + string.Join(", ", shape.Select(d => d?.ToString() ?? "?")) + "]";
}
