namespace ZilOnnx.Converter.Graph;

/// <summary>Which statistics a BatchNormalization normalizes with (`--bn`).</summary>
public enum BatchNormStatistics
{
    /// <summary>Training form: the batch's own mean and biased variance; the running statistics are updated.</summary>
    Batch,
    /// <summary>Inference form: the stored running mean and variance, left as they are.</summary>
    Frozen,
}
