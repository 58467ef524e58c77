namespace ZilOnnx.Trainer.Data;

/// <summary>Inputs and targets of the same samples, in the types they are held as.</summary>
public sealed record SampleBlock(SampleArray Inputs, SampleArray Targets);

/// <summary>
/// A data source of one format (an .npz, a pair of .npy files, an IDX folder, ...), opened by reading its headers
/// only: the layouts of its inputs and targets are known before any sample is read, so they can be checked against
/// the model and the data budget first. Samples are then read in ranges. One implementation per format; a new format
/// is a new implementation, chosen in <see cref="DataSources.Open"/> by what the DATA argument is.
/// </summary>
public interface ISampleReader : IDisposable
{
    /// <summary>The file errors name: the one the user gave, or the file of the inputs.</summary>
    string Origin { get; }

    /// <summary>
    /// The file the targets are read from where it is not <see cref="Origin"/> (an IDX labels file, the Y.npy of a
    /// pair), so that a fault in a label names the file it is in; null where the targets are an array of Origin (y of an .npz).
    /// </summary>
    string? TargetsFile { get; }

    /// <summary>What the inputs' header declares (the sample axis first).</summary>
    ArrayLayout Inputs { get; }

    /// <summary>What the targets' header declares (the sample axis first).</summary>
    ArrayLayout Targets { get; }

    /// <summary>Things the user should know about where the data came from (e.g. a stand-in subset).</summary>
    IReadOnlyList<string> Notices { get; }

    /// <summary>The names of the class indices (an image folder's class folders), or null where the source has none.</summary>
    IReadOnlyList<string>? ClassNames => null;

    /// <summary>The preprocessing an image source applied while reading (resize, crop, channels, layout), or null for arrays.</summary>
    Preprocessing.ImagePreprocessing? Applied => null;

    /// <summary>Samples [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>), inputs and targets.</summary>
    SampleBlock Read(long start, long count);
}

public static class SampleReaderExtensions
{
    /// <summary>
    /// The samples at the given indices, in that order: each run of consecutive indices is read as one range, so a
    /// sorted selection costs about one pass over the source.
    /// </summary>
    public static SampleBlock ReadAt(this ISampleReader reader, IReadOnlyList<long> indices)
    {
        var inputs = new List<SampleArray>();
        var targets = new List<SampleArray>();
        for (int i = 0; i < indices.Count;)
        {
            int end = i + 1;
            while (end < indices.Count && indices[end] == indices[end - 1] + 1) end++;
            var block = reader.Read(indices[i], end - i);
            inputs.Add(block.Inputs);
            targets.Add(block.Targets);
            i = end;
        }
        return new SampleBlock(Concatenate(inputs, reader.Inputs), Concatenate(targets, reader.Targets));
    }

    private static SampleArray Concatenate(List<SampleArray> parts, ArrayLayout layout)
    {
        if (parts.Count == 1) return parts[0];
        long count = parts.Sum(p => p.Count);
        var result = SampleArray.Allocate(layout.ElementType, [count, .. layout.Shape[1..]]);
        long row = 0;
        foreach (var part in parts)
        {
            part.CopyRowsTo(result, row);
            row += part.Count;
        }
        return result;
    }
}
