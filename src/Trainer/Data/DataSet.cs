using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data.Preprocessing;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Inputs and targets, sample-major (axis 0): targets held in memory in their stored type (<see cref="SampleArray"/>),
/// inputs held so (arrays) or streamed from their files when a batch is prepared (images, <see cref="SampleSource"/>).
/// Targets of an integer type are class labels; float targets are regression targets or probability rows.
/// </summary>
public sealed class DataSet
{
    /// <param name="integerInputs">The model input is integer (token ids): batches keep them as int64.</param>
    /// <param name="targetsFile">The file the targets come from when it is not <paramref name="source"/> (an IDX labels
    /// file, the Y.npy of a pair; <see cref="ISampleReader.TargetsFile"/>), so that a bad label names the file that holds it.</param>
    public DataSet(string source, string inputName, SampleSource inputs, SampleArray targets, bool integerInputs = false,
        string? targetsFile = null)
    {
        SampleAxes.Check(source, inputs.Shape, targets.Shape, targetsFile);
        Source = source;
        InputName = inputName;
        Inputs = inputs;
        Targets = targets;
        IntegerInputs = integerInputs;
        TargetsFile = targetsFile;
    }

    /// <summary>A data set built in memory from <see cref="HostTensor"/>s (tests, small synthetic sets).</summary>
    public DataSet(string source, string inputName, HostTensor inputs, HostTensor targets, bool integerInputs = false,
        string? targetsFile = null)
        : this(source, inputName, SampleArray.FromHostTensor(inputs), SampleArray.FromHostTensor(targets), integerInputs, targetsFile) { }

    public string Source { get; }
    /// <summary>The targets' own file, or null when they are an array of <see cref="Source"/> (y of an .npz).</summary>
    public string? TargetsFile { get; }
    /// <summary>The graph input the samples feed.</summary>
    public string InputName { get; }
    public SampleSource Inputs { get; }
    /// <summary>The inputs are read from their files batch by batch, not held (<see cref="ImageFileSamples"/>).</summary>
    public bool IsStreamed => Inputs is not SampleArray;
    public SampleArray Targets { get; }
    public long Count => Inputs.Shape[0];
    /// <summary>Things the user should know about where the data came from (e.g. a stand-in subset, scaled pixels); a setting they
    /// name is written as its marker (<see cref="Settings.Setting"/>).</summary>
    public IReadOnlyList<string> Notices { get; init; } = [];
    /// <summary>The names of the class indices (an image folder's class folders, in index order), or null where the source names
    /// none.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
    public bool HasLabels => !Targets.IsFloatingPoint;
    /// <summary>Inputs are ids for an integer model input, fed as int64 rather than converted to floats.</summary>
    public bool IntegerInputs { get; }
    /// <summary>The preprocessing the samples were read with (what an exported model stores), or null where none applies.</summary>
    public ImagePreprocessing? Preprocessing { get; init; }
    /// <summary>--mean/--std, applied to each gathered batch, or null.</summary>
    public ChannelNormalization? Normalization { get; init; }
    /// <summary>Training-time augmentation (<see cref="WithAugmentation"/>), or null: held-out data never has any.</summary>
    public ImageAugmentation? Augmentation { get; private init; }
    private int augmentationSeed;

    /// <summary>The same samples, augmented in every batch prepared for a pass over the data (training data only).</summary>
    public DataSet WithAugmentation(ImageAugmentation augmentation, int seed) =>
        new(Source, InputName, Inputs, Targets, IntegerInputs, TargetsFile)
        {
            Notices = Notices, ClassNames = ClassNames, Preprocessing = Preprocessing, Normalization = Normalization,
            Augmentation = augmentation, augmentationSeed = seed,
        };

    /// <summary>The samples at the given indices as a batch in the given float type (int64 for integer inputs) on the given
    /// device.</summary>
    /// <param name="pass">The pass over the data the batch belongs to (<see cref="BatchOrder.PassOf"/>), which augments it
    /// (<see cref="Augmentation"/>); null: not augmented (evaluation).</param>
    public Batch Take(IReadOnlyList<long> indices, ScalarType floatType, Device device, long? pass = null) => ToBatch(Prepare(indices,
        floatType, pass), device);

    /// <summary>
    /// The host half of <see cref="Take"/>: the samples gathered (streamed ones decoded) and converted to the batch's element
    /// types, augmented and normalized. It only reads this data set, so it may run on any thread, and on several at once
    /// (the trainer prepares the next batches while a step runs, <see cref="Training.BatchPrefetcher"/>).
    /// </summary>
    public HostBatch Prepare(IReadOnlyList<long> indices, ScalarType floatType, long? pass = null)
    {
        var inputs = Part(Inputs, indices, IntegerInputs ? ScalarType.Int64 : floatType);
        if (Augmentation != null && pass is { } p)
            Augmentation.Apply(inputs.Values, inputs.Shape, Preprocessing?.Layout == InputLayout.Nhwc, indices, p, augmentationSeed);
        Normalization?.Apply(inputs.Values, inputs.Shape);
        return new(inputs, Part(Targets, indices, HasLabels ? ScalarType.Int64 : floatType));
    }

    /// <summary>The tensor half of <see cref="Take"/>: one copy of each prepared array, on the calling thread.</summary>
    public Batch ToBatch(HostBatch batch, Device device) =>
        new(new Dictionary<string, Tensor> { [InputName] = batch.Inputs.ToTensor(device) }, batch.Targets.ToTensor(device));

    /// <summary>The samples at the given indices, in that order, as a data set of its own (a validation split).</summary>
    public DataSet Subset(IReadOnlyList<long> indices, string source) =>
        new(source, InputName, Inputs.Rows(indices), Targets.Rows(indices), IntegerInputs, TargetsFile)
        { Notices = Notices, ClassNames = ClassNames, Preprocessing = Preprocessing, Normalization = Normalization };

    private static HostBatch.Part Part(SampleSource array, IReadOnlyList<long> indices, ScalarType type) =>
        new(array.Gather(indices, type), [indices.Count, .. array.Shape[1..]]);
}
