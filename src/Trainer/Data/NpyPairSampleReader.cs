namespace ZilOnnx.Trainer.Data;

/// <summary>
/// A pair of .npy files: `X.npy,Y.npy`, or a folder holding `x.npy` and `y.npy` (what numpy.save writes for two
/// arrays). Each file is read from where the asked-for rows start.
/// </summary>
public sealed class NpyPairSampleReader : ArrayPairReader
{
    private NpyPairSampleReader(string origin, IArrayReader inputs, IArrayReader targets, string targetsFile) : base(origin, inputs,
        targets, targetsFile)
    { }

    public static bool Recognizes(string source) => Files(source) != null;

    public static NpyPairSampleReader Open(string source)
    {
        var (inputs, targets) = Files(source) ?? throw new ArgumentException($"{source} is not a pair of .npy files");
        foreach (string file in new[] { inputs, targets })
            if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such .npy file (a pair of .npy files is inputs,targets)");
        var reader = new NpyPairSampleReader(inputs, Array(inputs, "x"), Array(targets, "y"), targets);
        PixelNotice.AddTo(reader);
        return reader;
    }

    private static NpyArrayReader Array(string file, string name) => NpyArrayReader.Open(() => DataFile.OpenForReading(file), name, file,
        null);

    /// <summary>The inputs and targets files a DATA argument names, or null when it names no pair.</summary>
    public static (string Inputs, string Targets)? Files(string source)
    {
        string[] parts = source.Split(',');
        if (parts.Length == 2 && parts.All(p => p.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))) return (parts[0], parts[1]);
        if (Directory.Exists(source) && File.Exists(Path.Combine(source, "x.npy")))
            return (Path.Combine(source, "x.npy"), Path.Combine(source, "y.npy"));
        return null;
    }
}
