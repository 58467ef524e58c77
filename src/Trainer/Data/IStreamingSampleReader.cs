namespace ZilOnnx.Trainer.Data;

/// <summary>Inputs read when a batch is prepared, with the targets held in memory (they are small: a label per sample).</summary>
public sealed record StreamedSamples(SampleSource Inputs, SampleArray Targets);

/// <summary>
/// A reader whose samples are costly to read and to hold (images to decode): a data set keeps its samples in their files
/// and reads each batch's when the batch is prepared, instead of reading them all at load (<see cref="ISampleReader.Read"/>).
/// </summary>
public interface IStreamingSampleReader
{
    /// <summary>The samples as a source that reads them on demand; it must outlive the reader (it holds no open file).</summary>
    StreamedSamples Stream();
}
