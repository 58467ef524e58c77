using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Checks a data set against the model's training output and the loss before any training, so a wrong file
/// fails at once with expected and actual rather than at step one inside a kernel (or, worse, not at all:
/// an out-of-range label would one-hot to a zero row and train on nothing).
/// </summary>
public static class DataValidation
{
    /// <param name="outputShape">The training output's shape, batch axis first.</param>
    public static void Check(DataSet data, IReadOnlyList<long> outputShape, string lossName)
    {
        CheckFinite(data.Source, "x", data.Inputs);
        long[] sampleOutput = [.. outputShape.Skip(1)];
        long[] sampleTarget = [.. data.Targets.Shape.Skip(1)];
        if (data.HasLabels)
        {
            if (lossName != "ce")
                throw new DataFormatException(data.Source, "y", $"{lossName} needs float targets shaped like the output {Format(sampleOutput)} per sample; " +
                                                                "got integer class labels (use --loss ce, or one-hot rows)");
            if (sampleOutput.Length == 0)
                throw new DataFormatException(data.Source, "y", "class labels need an output with a class axis; the model's output is one number per sample");
            long[] expected = sampleOutput[..^1];
            if (!sampleTarget.SequenceEqual(expected))
                throw new DataFormatException(data.Source, "y", $"labels have shape {Format(data.Targets.Shape)} but the model's output {Format(outputShape)} " +
                                                                $"takes labels shaped [N{string.Concat(expected.Select(d => $", {d}"))}]");
            CheckLabelRange(data, classes: sampleOutput[^1]);
            return;
        }
        CheckFinite(data.Source, "y", data.Targets);
        if (!sampleTarget.SequenceEqual(sampleOutput))
            throw new DataFormatException(data.Source, "y", $"targets have shape {Format(data.Targets.Shape)} but the model's output is {Format(outputShape)}: " +
                                                            $"each sample needs a target of shape {Format(sampleOutput)}");
    }

    private static void CheckLabelRange(DataSet data, long classes)
    {
        long i = data.Targets.IndexOfOutside(0, classes);
        if (i >= 0)
            throw new DataFormatException(data.Source, "y", $"label {data.Targets.ValueAt(i)} at index {i} is outside 0..{classes - 1}: the model's output has {classes} classes");
    }

    private static void CheckFinite(string source, string array, SampleArray values)
    {
        long i = values.IndexOfNonFinite();
        if (i >= 0) throw new DataFormatException(source, array, $"element {i} is {values.ValueAt(i)}: data must be finite");
    }

    private static string Format(IEnumerable<long> shape) => ShapeMath.Format([.. shape]);
}
