using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Inputs and targets held in memory, sample-major (axis 0). Targets of an integer type are class labels;
/// float targets are regression targets or probability rows.
/// </summary>
public sealed class DataSet
{
    /// <param name="integerInputs">The model input is integer (token ids): batches keep them as int64.</param>
    /// <param name="targetsFile">The file the targets come from when it is not <paramref name="source"/> (an IDX labels
    /// file, the Y.npy of a pair), so that a bad label names the file that holds it.</param>
    public DataSet(string source, string inputName, HostTensor inputs, HostTensor targets, bool integerInputs = false, string? targetsFile = null)
    {
        if (inputs.Rank == 0 || targets.Rank == 0)
            throw new DataFormatException(source, null, $"x and y need a sample axis (got x {inputs}, y {targets})");
        if (inputs.Shape[0] != targets.Shape[0])
            throw new DataFormatException(source, null, targetsFile == null
                ? $"x has {inputs.Shape[0]} samples but y has {targets.Shape[0]}"
                : $"it has {inputs.Shape[0]} samples but the targets in {targetsFile} are {targets.Shape[0]}");
        if (inputs.Shape[0] == 0) throw new DataFormatException(source, null, "the data set is empty");
        Source = source;
        InputName = inputName;
        Inputs = inputs;
        Targets = targets;
        IntegerInputs = integerInputs;
        TargetsFile = targetsFile;
    }

    public string Source { get; }
    /// <summary>The targets' own file, or null when they are an array of <see cref="Source"/> (y of an .npz).</summary>
    public string? TargetsFile { get; }
    /// <summary>The graph input the samples feed.</summary>
    public string InputName { get; }
    public HostTensor Inputs { get; }
    public HostTensor Targets { get; }
    public long Count => Inputs.Shape[0];
    /// <summary>Something the user should know about where the data came from (e.g. a stand-in subset).</summary>
    public string? Notice { get; init; }
    public bool HasLabels => !Targets.IsFloatingPoint;
    /// <summary>Inputs are ids for an integer model input, fed as int64 rather than converted to floats.</summary>
    public bool IntegerInputs { get; }

    /// <summary>The samples at the given indices as a batch in the given float type (int64 for integer inputs) on the given device.</summary>
    public Batch Take(IReadOnlyList<long> indices, ScalarType floatType, Device device) => ToBatch(Prepare(indices, floatType), device);

    /// <summary>
    /// The host half of <see cref="Take"/>: the samples gathered and converted to the batch's element types. It only
    /// reads this data set, so it may run on any thread (the trainer prepares the next batch while a step runs).
    /// </summary>
    public HostBatch Prepare(IReadOnlyList<long> indices, ScalarType floatType) => new(
        HostBatch.Part.Of(Rows(Inputs, indices), IntegerInputs ? ScalarType.Int64 : floatType),
        HostBatch.Part.Of(Rows(Targets, indices), HasLabels ? ScalarType.Int64 : floatType));

    /// <summary>The tensor half of <see cref="Take"/>: one copy of each prepared array, on the calling thread.</summary>
    public Batch ToBatch(HostBatch batch, Device device) =>
        new(new Dictionary<string, Tensor> { [InputName] = batch.Inputs.ToTensor(device) }, batch.Targets.ToTensor(device));

    /// <summary>The samples at the given indices, in that order, as a data set of its own (a validation split).</summary>
    public DataSet Subset(IReadOnlyList<long> indices, string source) =>
        new(source, InputName, Rows(Inputs, indices), Rows(Targets, indices), IntegerInputs, TargetsFile) { Notice = Notice };

    private static HostTensor Rows(HostTensor source, IReadOnlyList<long> indices)
    {
        long sampleSize = source.Count / source.Shape[0];
        var values = new double[indices.Count * sampleSize];
        for (int i = 0; i < indices.Count; i++)
            Array.Copy(source.Values, indices[i] * sampleSize, values, i * sampleSize, sampleSize);
        return new HostTensor(source.ElementType, [indices.Count, .. source.Shape[1..]], values);
    }
}
