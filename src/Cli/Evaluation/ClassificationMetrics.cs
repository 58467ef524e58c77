namespace ZilOnnx.Cli.Evaluation;

/// <summary>
/// Accumulates top-1 and top-5 accuracy and the confusion matrix over batches of output rows (the loss is the trainer's,
/// <see cref="ServedLoss"/>). Scores may be logits, probabilities or log-probabilities: their order is the same.
/// </summary>
public sealed class ClassificationMetrics(int classes)
{
    private readonly long[,] _confusion = new long[classes, classes];
    private long _top1, _top5, _count;

    public long Count => _count;
    public double Top1 => (double)_top1 / _count;
    public double Top5 => (double)_top5 / _count;
    public int Classes => classes;

    /// <summary>Rows [batch, classes] of outputs and the matching integer labels.</summary>
    public void Add(ReadOnlySpan<double> outputs, ReadOnlySpan<double> labels)
    {
        for (int row = 0; row < labels.Length; row++)
        {
            var scores = outputs.Slice(row * classes, classes);
            int label = (int)labels[row];
            if (label < 0 || label >= classes) throw new ArgumentException($"label {label} is outside 0..{classes - 1}");
            int predicted = 0, higher = 0;
            for (int c = 0; c < classes; c++)
            {
                if (scores[c] > scores[predicted]) predicted = c;
                if (scores[c] > scores[label]) higher++;
            }
            if (predicted == label) _top1++;
            if (higher < 5) _top5++;
            _confusion[label, predicted]++;
            _count++;
        }
    }

    /// <summary>The confusion matrix as rows: one per label, its counts by predicted class.</summary>
    public IReadOnlyList<long[]> ConfusionRows() =>
        [.. Enumerable.Range(0, classes).Select(label => Enumerable.Range(0, classes).Select(p => _confusion[label, p]).ToArray())];

    /// <summary>Prints the confusion matrix, one line per label, each count right-aligned in <paramref name="width"/> characters.</summary>
    public void PrintConfusion(TextWriter output, int width)
    {
        var rows = ConfusionRows();
        for (int label = 0; label < rows.Count; label++)
            output.WriteLine($"  {label,3}: " + string.Join(" ", rows[label].Select(n => n.ToString().PadLeft(width))));
    }

    /// <summary>Samples whose label is <paramref name="label"/>: the sum of its confusion row.</summary>
    public long CountOf(int label)
    {
        long count = 0;
        for (int p = 0; p < classes; p++) count += _confusion[label, p];
        return count;
    }

    /// <summary>The fraction of the label's samples predicted as it; NaN when the data has none.</summary>
    public double AccuracyOf(int label) => (double)_confusion[label, label] / CountOf(label);

    /// <summary>Intersection over union of the class: right / (labelled as it + predicted as it - right); NaN when neither
    /// happened.</summary>
    public double IoUOf(int c)
    {
        long predicted = 0;
        for (int label = 0; label < classes; label++) predicted += _confusion[label, c];
        return (double)_confusion[c, c] / (CountOf(c) + predicted - _confusion[c, c]);
    }

    /// <summary>The mean of <see cref="IoUOf"/> over the classes that occur in the labels or the predictions.</summary>
    public double MeanIoU
    {
        get
        {
            var present = Enumerable.Range(0, classes).Select(IoUOf).Where(iou => !double.IsNaN(iou)).ToArray();
            return present.Length == 0 ? double.NaN : present.Average();
        }
    }
}
