namespace ZilOnnx.Trainer.Data;

/// <summary>
/// One array of a data file, opened by reading its header only: its layout is known at once, its rows (samples) are
/// read when asked for, in the type they are held as.
/// </summary>
public interface IArrayReader
{
    /// <summary>What the header declares.</summary>
    ArrayLayout Layout { get; }

    /// <summary>Samples [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) along axis 0, in C order.</summary>
    SampleArray ReadRows(long start, long count);
}
