namespace ZilOnnx.Trainer.Data;

/// <summary>How images are read for a model: 1 channel (grayscale) or 3 (RGB), and the height and width they must have.</summary>
public sealed record ImageGeometry(int Channels, int Height, int Width)
{
    public int SampleSize => Channels * Height * Width;

    public override string ToString() => $"{(Channels == 1 ? "grayscale" : "RGB")} {Height}x{Width}";

    /// <param name="modelInputShape">The model's input [N, C, H, W] (unknown axes null), which says the channels and
    /// size the images are read as; where it says nothing, <paramref name="firstImage"/> does (grayscale or RGB, its size).</param>
    /// <param name="origin">The data as the user named it, for the message when the model's channels fit no image.</param>
    public static ImageGeometry For(IReadOnlyList<long?> modelInputShape, string firstImage, string origin)
    {
        long? modelChannels = modelInputShape.Count == 4 ? modelInputShape[1] : null;
        if (modelChannels is not (null or 1 or 3))
            throw new DataFormatException(origin, null, $"the model's input has {modelChannels} channels; images are read as 1 (grayscale) or 3 (RGB)");
        int channels = (int)(modelChannels ?? (ImageDecoding.IsGray(firstImage) ? 1 : 3));
        var (firstHeight, firstWidth) = ImageDecoding.Size(firstImage);
        int height = modelInputShape.Count == 4 && modelInputShape[2] is { } h ? checked((int)h) : firstHeight;
        int width = modelInputShape.Count == 4 && modelInputShape[3] is { } w ? checked((int)w) : firstWidth;
        return new ImageGeometry(channels, height, width);
    }
}
