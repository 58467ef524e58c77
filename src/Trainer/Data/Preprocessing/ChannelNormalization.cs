using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Data.Preprocessing;

/// <summary>
/// torchvision's Normalize on a gathered batch: x = (x - mean[c]) / std[c] in the batch's own float type. In float32
/// that is torch's arithmetic exactly: mean and std rounded to float32 (torch.as_tensor), a float32 subtraction, then a
/// float32 division. One value stands for every channel.
/// </summary>
public sealed record ChannelNormalization(double[] Mean, double[] Std, int ChannelAxis)
{
    /// <summary>The normalization of the spec for data of <paramref name="sampleShape"/>, or null where the spec has none.</summary>
    public static ChannelNormalization? For(ImagePreprocessing spec, long[] sampleShape, int channelAxis, string origin)
    {
        if (!spec.Normalizes) return null;
        long channels = sampleShape.Length >= channelAxis && channelAxis >= 1 ? sampleShape[channelAxis - 1] : 1;
        foreach (var (name, values) in new[] { (Setting.Mean, spec.Mean), (Setting.Std, spec.Std) })
            if (values is { Length: > 1 } && values.Length != channels)
                throw new DataFormatException(origin, "x",
                    $"{name} gives {values.Length} values but the inputs have {channels} channels (axis {channelAxis}); give one value " +
                    $"or {channels}");
        return new ChannelNormalization(spec.Mean ?? [0.0], spec.Std ?? [1.0], channelAxis);
    }

    /// <summary>Normalizes <paramref name="values"/> (float[] or double[], row-major in <paramref name="shape"/>) in place.</summary>
    public void Apply(Array values, long[] shape)
    {
        long inner = 1;
        for (int a = ChannelAxis + 1; a < shape.Length; a++) inner *= shape[a];
        long channels = ChannelAxis < shape.Length ? shape[ChannelAxis] : 1;
        switch (values)
        {
            case float[] f:
                float[] mean32 = Array.ConvertAll(Mean, m => (float)m), std32 = Array.ConvertAll(Std, s => (float)s);
                for (long i = 0; i < f.LongLength; i++)
                {
                    int c = Channel(i, inner, channels);
                    float centred = f[i] - mean32[c];
                    f[i] = centred / std32[c];
                }
                break;
            case double[] d:
                for (long i = 0; i < d.LongLength; i++)
                {
                    int c = Channel(i, inner, channels);
                    d[i] = (d[i] - Mean[c]) / Std[c];
                }
                break;
            default: throw new ArgumentException($"normalization applies to float32 or float64 batches, not {values.GetType().Name}");
        }

        int Channel(long index, long innerSize, long count) => Mean.Length == 1 && Std.Length == 1 ? 0 : (int)(index / innerSize % count);
    }
}
