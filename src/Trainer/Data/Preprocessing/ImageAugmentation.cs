using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Data.Preprocessing;

/// <summary>
/// Training-time augmentation (--augment hflip,crop:P): a random crop back to the image's size after P pixels of zero
/// padding on each side (torchvision's RandomCrop(size, padding=P)), then a horizontal flip with probability 0.5
/// (RandomHorizontalFlip). The draws for a sample come from the seed, the sample's index and the pass over the data,
/// so a resumed run, or another run with the same seed, sees the same augmented batches. It runs on a gathered batch
/// before normalization, so the padding is a zero pixel as in torchvision.
/// </summary>
public sealed record ImageAugmentation(bool HorizontalFlip, int CropPadding)
{
    public const string Syntax = "hflip,crop:P";

    /// <summary>Parses "hflip", "crop:P" or both, comma-separated; throws an <see cref="ArgumentException"/> naming the bad item.</summary>
    public static ImageAugmentation Parse(string text)
    {
        bool flip = false;
        int? padding = null;
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (item == "hflip" && !flip) flip = true;
            else if (item.StartsWith("crop:", StringComparison.Ordinal) && padding == null
                     && int.TryParse(item[5..], out int p) && p >= 0 && p <= 4096) padding = p;
            else
                throw new SettingException($"{Setting.Augmentation}: '{item}' is not hflip or crop:P (P a whole number of pixels " +
                    $"from 0 to 4096), each at most once; e.g. {Setting.Augmentation} {Syntax}");
        }
        return new ImageAugmentation(flip, padding ?? 0);
    }

    public string Describe() =>
        string.Join(",", new[] { HorizontalFlip ? "hflip" : null, CropPadding > 0 ? $"crop:{CropPadding}" : null }.OfType<string>());

    /// <summary>
    /// Augments the gathered batch <paramref name="values"/> (float[] or double[], shape [N, C, H, W] or [N, H, W, C]
    /// as <paramref name="channelsLast"/> says) in place; sample i is data sample <paramref name="indices"/>[i].
    /// </summary>
    public void Apply(Array values, long[] shape, bool channelsLast, IReadOnlyList<long> indices, long pass, int seed)
    {
        if (shape.Length != 4)
            throw new SettingException($"{Setting.Augmentation} applies to images ([N, C, H, W] or [N, H, W, C]), " +
                $"not inputs of shape [{string.Join(", ", shape)}]");
        switch (values)
        {
            case float[] f: Apply(f, shape, channelsLast, indices, pass, seed); break;
            case double[] d: Apply(d, shape, channelsLast, indices, pass, seed); break;
            default: throw new ArgumentException($"augmentation applies to float32 or float64 batches, not {values.GetType().Name}");
        }
    }

    private void Apply<T>(T[] values, long[] shape, bool channelsLast, IReadOnlyList<long> indices, long pass, int seed) where T : unmanaged
    {
        int channels = (int)(channelsLast ? shape[3] : shape[1]);
        int height = (int)(channelsLast ? shape[1] : shape[2]), width = (int)(channelsLast ? shape[2] : shape[3]);
        int sampleSize = channels * height * width;
        // Element (c, y, x) of a sample is at c * channelStride + y * rowStride + x * pixelStride.
        int channelStride = channelsLast ? 1 : height * width;
        int rowStride = channelsLast ? width * channels : width, pixelStride = channelsLast ? channels : 1;
        var copy = new T[sampleSize];
        for (int i = 0; i < indices.Count; i++)
        {
            var (top, left, flip) = Draw(seed, indices[i], pass);
            var sample = values.AsSpan(i * sampleSize, sampleSize);
            sample.CopyTo(copy);
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        int sy = y + top - CropPadding, sx = (flip ? width - 1 - x : x) + left - CropPadding;
                        sample[c * channelStride + y * rowStride + x * pixelStride] = sy >= 0 && sy < height && sx >= 0 && sx < width
                            ? copy[c * channelStride + sy * rowStride + sx * pixelStride] : default;
                    }
        }
    }

    /// <summary>The crop's offset in the padded image and whether to flip, for one sample in one pass.</summary>
    private (int Top, int Left, bool Flip) Draw(int seed, long sample, long pass)
    {
        // A plain formula: HashCode.Combine is randomised per process, and runs must be reproducible across processes.
        var random = new Random(unchecked((int)(seed * 1_000_003L + sample * 7_919L + pass * 104_729L)));
        int top = random.Next(2 * CropPadding + 1), left = random.Next(2 * CropPadding + 1);
        bool flip = HorizontalFlip && random.NextDouble() < 0.5;
        return (top, left, flip);
    }
}
