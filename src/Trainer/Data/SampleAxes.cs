namespace ZilOnnx.Trainer.Data;

/// <summary>What inputs and targets must agree on whatever their format: a sample axis (axis 0) of one length, not zero.</summary>
public static class SampleAxes
{
    /// <param name="targetsFile">The targets' own file where it is not <paramref name="source"/> (an IDX labels file, the
    /// Y.npy of a pair): a count that disagrees is said with the file that holds it.</param>
    public static void Check(string source, long[] inputs, long[] targets, string? targetsFile = null)
    {
        if (inputs.Length == 0 || targets.Length == 0)
            throw new DataFormatException(source, null, $"x and y need a sample axis (got x {Describe(inputs)}, y {Describe(targets)})");
        if (inputs[0] != targets[0])
            throw new DataFormatException(source, null, targetsFile == null
                ? $"x has {inputs[0]} samples but y has {targets[0]}"
                : $"it has {inputs[0]} samples but the targets in {targetsFile} are {targets[0]}");
        if (inputs[0] == 0) throw new DataFormatException(source, null, "the data set is empty");
    }

    private static string Describe(long[] shape) => $"[{string.Join(", ", shape)}]";
}
