using System.Globalization;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Checks a data set against the model's training output and the loss before any training, so a wrong file
/// fails at once with expected and actual rather than at step one inside a kernel (or, worse, not at all:
/// an out-of-range label would one-hot to a zero row and train on nothing).
/// </summary>
public static class DataValidation
{
    /// <inheritdoc cref="Check(DataSet, IReadOnlyList{long}, ILoss)"/>
    public static void Check(DataSet data, IReadOnlyList<long> outputShape, string lossName) =>
        Check(data, outputShape, LossFactory.Create(lossName));

    /// <param name="outputShape">The training output's shape, batch axis first.</param>
    public static void Check(DataSet data, IReadOnlyList<long> outputShape, ILoss loss)
    {
        long[] sampleOutput = [.. outputShape.Skip(1)];
        long[] sampleTarget = [.. data.Targets.Shape.Skip(1)];
        if (data.HasLabels)
        {
            if (loss is not CrossEntropyLoss ce)
                throw TargetsError(data, $"{loss.Name} needs float targets shaped like the output {Format(sampleOutput)} per sample; " +
                                         $"got integer class labels (use {Setting.Loss} ce, or one-hot rows)");
            if (sampleOutput.Length == 0)
                throw TargetsError(data, "class labels need an output with a class axis; the model's output is one number per sample");
            int axis = ce.ClassAxisOf(outputShape.Count);
            if (!ce.FitsLabels(outputShape, data.Targets.Shape.Select((d, i) => i == 0 ? outputShape[0] : d).ToArray()))
                throw TargetsError(data, $"labels have shape {Format(data.Targets.Shape)} but the model's output {Format(outputShape)} " +
                                         $"takes labels shaped " +
                                             $"[N{string.Concat(ce.LabelShape(outputShape).Skip(1).Select(d => $", {d}"))}] (class axis " +
                                             $"{axis})");
            CheckClassNames(data, classes: outputShape[axis]);
            CheckLabels(data, classes: outputShape[axis]);
            return;
        }
        CheckFinite(data.TargetsFile ?? data.Source, data.TargetsFile == null ? "y" : null, data.Targets);
        if (!sampleTarget.SequenceEqual(sampleOutput))
            throw TargetsError(data, $"targets have shape {Format(data.Targets.Shape)} but the model's output is {Format(outputShape)}: " +
                                     $"each sample needs a target of shape {Format(sampleOutput)}");
        if (loss is BinaryCrossEntropyLoss)
        {
            long i = data.Targets.IndexOfOutside(0, Math.BitIncrement(1.0));
            if (i >= 0)
                throw TargetsError(data,
                    $"target {Show(data.Targets.ValueAt(i))} at index {i} is outside [0, 1]: bce takes multi-label targets in [0, 1]");
        }
    }

    /// <summary>
    /// Data that name more classes than the model predicts (an image folder with more class folders): said as such, since
    /// the labels of the further classes would otherwise be reported one by one as out of range.
    /// </summary>
    private static void CheckClassNames(DataSet data, long classes)
    {
        if (data.ClassNames is { } names && names.Count > classes)
            throw TargetsError(data, $"the data name {names.Count} classes ({NameList.Abbreviate(names)}) " +
                                     $"but the model's output has {classes}: train on the model's {classes} classes, or give it an " +
                                         $"output with {names.Count}");
    }

    /// <summary>Class labels inside 0..classes-1 (an out-of-range label would one-hot to a zero row, or index past a row).</summary>
    public static void CheckLabels(DataSet data, long classes)
    {
        long i = data.Targets.IndexOfOutside(0, classes);
        if (i >= 0)
            throw TargetsError(data,
                $"label {Show(data.Targets.ValueAt(i))} at index {i} is outside 0..{classes - 1}: " +
                $"the model's output has {classes} classes");
    }

    /// <summary>
    /// Finite inputs, checked when any command loads data: NaN or Inf in x is a broken file, never a result. Streamed images
    /// are uint8, which holds nothing else, so they are not decoded for this.
    /// </summary>
    public static void CheckInputs(DataSet data) => CheckFinite(data.Source, "x", data.Inputs);

    /// <summary>
    /// Every element finite; the first that is not is named with its sample (index on axis 0) and its flat index. The
    /// array is scanned in its stored type: no copy of the data set is made.
    /// </summary>
    public static void CheckFinite(string source, string? array, SampleSource values)
    {
        long i = values.IndexOfNonFinite();
        if (i >= 0) throw NonFinite(source, array, i, values.SampleSize, values.ValueAt(i));
    }

    /// <summary><see cref="CheckFinite(string, string?, SampleSource)"/> for an array fed as it is (`run`'s arrays of an .npz).</summary>
    public static void CheckFinite(string source, string? array, HostTensor tensor)
    {
        if (!tensor.IsFloatingPoint || tensor.Count == 0) return;
        var values = tensor.Values;
        long sampleSize = tensor.Rank == 0 ? 1 : values.Length / Math.Max(1, tensor.Shape[0]);
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw NonFinite(source, array, i, sampleSize, values[i]);
    }

    private static DataFormatException NonFinite(string source, string? array, long index, long sampleSize, double value) =>
        new(source, array,
            $"sample {index / Math.Max(1, sampleSize)} holds {Show(value)} (element {index} of the array): data must be finite");

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A problem with the targets, named by the file that holds them (an IDX labels file) or by the array y.</summary>
    private static DataFormatException TargetsError(DataSet data, string problem) =>
        new(data.TargetsFile ?? data.Source, data.TargetsFile == null ? "y" : null, problem);

    private static string Format(IEnumerable<long> shape) => ShapeMath.Format([.. shape]);
}
