using ZilOnnx.Trainer.Data.Preprocessing;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// How images are read for a model: 1 channel (grayscale) or 3 (RGB), the height and width each must have once resized
/// and cropped, and where the channels go (<see cref="InputLayout"/>). The one place that decides this, for image folders
/// (training, eval) and for `run`'s image files alike.
/// </summary>
public sealed record ImageGeometry(int Channels, int Height, int Width, string Layout)
{
    public bool ChannelsLast => Layout == InputLayout.Nhwc;

    public int SampleSize => Channels * Height * Width;

    /// <summary>The shape of <paramref name="count"/> images: [N, C, H, W], or [N, H, W, C] with the channels last.</summary>
    public long[] Shape(long count) => ChannelsLast ? [count, Height, Width, Channels] : [count, Channels, Height, Width];

    public override string ToString() => $"{(Channels == 1 ? "grayscale" : "RGB")} {Height}x{Width}";

    /// <param name="modelInputShape">The model's input [N, C, H, W] or [N, H, W, C] (unknown axes null), which says the
    /// channels, size and layout the images are read as; where it says nothing, the preprocessing and then
    /// <paramref name="firstImage"/> do (grayscale or RGB, its size after any resize and crop).</param>
    /// <param name="origin">The data as the user named it, for the message when the model's channels fit no image.</param>
    public static ImageGeometry For(IReadOnlyList<long?> modelInputShape, ImagePreprocessing preprocessing, string firstImage,
        string origin)
    {
        string layout = preprocessing.Layout ?? InputLayout.Of(modelInputShape) ?? InputLayout.Nchw;
        bool last = layout == InputLayout.Nhwc;
        long? Axis(int nchw, int nhwc) => modelInputShape.Count == 4 ? modelInputShape[last ? nhwc : nchw] : null;
        long? modelChannels = Axis(1, 3);
        if (modelChannels is not (null or 1 or 3))
            throw new DataFormatException(origin, null,
                $"the model's input has {modelChannels} channels; images are read as 1 (grayscale) or 3 (RGB)");
        if (modelChannels != null && preprocessing.Channels != null && modelChannels != preprocessing.Channels)
            throw new DataFormatException(origin, null,
                $"the preprocessing reads {preprocessing.Channels} channels but the model's input has {modelChannels}");
        int channels = (int)(modelChannels ?? preprocessing.Channels ?? (ImageDecoding.IsGray(firstImage) ? 1 : 3));
        var (decodedHeight, decodedWidth) = ImageDecoding.Size(firstImage);
        var (firstHeight, firstWidth) = ImageTransforms.OutputSize(preprocessing, decodedHeight, decodedWidth);
        int height = Axis(2, 1) is { } h ? checked((int)h) : firstHeight;
        int width = Axis(3, 2) is { } w ? checked((int)w) : firstWidth;
        return new ImageGeometry(channels, height, width, layout);
    }
}
