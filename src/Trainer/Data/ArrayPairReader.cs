namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Inputs and targets stored as two arrays whose axis 0 is the sample axis: the arrays of an .npz, a pair of .npy
/// files, the images and labels of an IDX folder. A range of samples is the same rows of both.
/// </summary>
/// <param name="targetsFile">The targets' own file, where it is not <paramref name="origin"/>.</param>
public abstract class ArrayPairReader(string origin, IArrayReader inputs, IArrayReader targets, string? targetsFile = null) : ISampleReader
{
    public string Origin => origin;
    public string? TargetsFile => targetsFile;
    public ArrayLayout Inputs => inputs.Layout;
    public ArrayLayout Targets => targets.Layout;
    public List<string> Notices { get; } = [];
    IReadOnlyList<string> ISampleReader.Notices => Notices;

    public SampleBlock Read(long start, long count) => new(inputs.ReadRows(start, count), targets.ReadRows(start, count));

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
