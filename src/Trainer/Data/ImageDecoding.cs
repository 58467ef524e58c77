using SkiaSharp;
using ZilOnnx.Trainer.Data.Preprocessing;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// One image file decoded by SkiaSharp into 8-bit channels, planar (C x H x W): RGB, or grayscale with the luminance
/// PIL's convert('L') computes (what torchvision's Grayscale and ImageFolder with a 'L' loader give), so that a model
/// trained on these bytes sees what a PyTorch pipeline would. Alpha is dropped, as PIL's convert('RGB') does. A GIF
/// gives its first frame.
/// </summary>
public static class ImageDecoding
{
    /// <summary>The image's width and height, read from its header only.</summary>
    public static (int Height, int Width) Size(string file)
    {
        using var codec = Open(file);
        return (codec.Info.Height, codec.Info.Width);
    }

    /// <summary>Whether the image is stored as grayscale (what a folder gives when no model says how many channels).</summary>
    public static bool IsGray(string file)
    {
        using var codec = Open(file);
        return codec.Info.ColorType is SKColorType.Gray8 or SKColorType.Alpha8;
    }

    /// <summary>
    /// Decodes <paramref name="file"/> into <paramref name="target"/> as one sample of <paramref name="geometry"/> (channels
    /// x height x width bytes, or height x width x channels with the channels last): the image's channels, then the
    /// <paramref name="preprocessing"/>'s resize and centre crop (<see cref="ImageTransforms"/>), which must give the
    /// geometry's height x width. Without them the image must have that size already. The one per-image decode.
    /// </summary>
    public static void DecodeInto(string file, ImageGeometry geometry, Span<byte> target, ImagePreprocessing? preprocessing = null)
    {
        var (channels, height, width, channelsLast) = (geometry.Channels, geometry.Height, geometry.Width, geometry.ChannelsLast);
        using var codec = Open(file);
        int decodedHeight = codec.Info.Height, decodedWidth = codec.Info.Width;
        bool transform = preprocessing is { ChangesGeometry: true };
        var (outHeight, outWidth) = transform ? ImageTransforms.OutputSize(preprocessing!, decodedHeight, decodedWidth) : (decodedHeight,
            decodedWidth);
        if (outHeight != height || outWidth != width)
            throw new DataFormatException(file, null, transform
                ? $"the image is {decodedHeight}x{decodedWidth} (HxW) and becomes {outHeight}x{outWidth} after " +
                    $"{Setting.Resize}/{Setting.CenterCrop}, but the model expects {height}x{width}; " +
                    $"add {Setting.CenterCrop} {height},{width}"
                : $"the image is {decodedHeight}x{decodedWidth} (HxW) but the model expects {height}x{width}; resize the images " +
                    $"({Setting.Resize} {height},{width})");

        var planar = transform || channelsLast ? new byte[channels * decodedHeight * decodedWidth] : null;
        DecodePlanar(codec, file, channels, planar ?? target);
        if (planar == null) return;
        byte[]? transformed = transform && channelsLast ? new byte[channels * height * width] : null;
        if (transform && !channelsLast) ImageTransforms.Apply(preprocessing!, planar, channels, decodedHeight, decodedWidth, target);
        if (transformed != null) ImageTransforms.Apply(preprocessing!, planar, channels, decodedHeight, decodedWidth, transformed);
        if (channelsLast) InterleaveInto(transformed ?? planar, channels, height * width, target);
    }

    private static void DecodePlanar(SKCodec codec, string file, int channels, Span<byte> target)
    {
        int height = codec.Info.Height, width = codec.Info.Width;
        // Unpremultiplied, without a colour space: the stored values, not ones converted for a screen.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var result = codec.GetPixels(info, out byte[] rgba);
        // A truncated file decodes partly (IncompleteInput); half an image is no sample.
        if (result != SKCodecResult.Success)
            throw new DataFormatException(file, null, $"the image cannot be decoded ({result})");

        int plane = height * width;
        if (channels == 1)
        {
            for (int i = 0; i < plane; i++)
                target[i] = Luminance(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]);
        }
        else
        {
            for (int i = 0; i < plane; i++)
                for (int c = 0; c < 3; c++)
                    target[c * plane + i] = rgba[4 * i + c];
        }
    }

    /// <summary>Planar (C x H x W) to interleaved (H x W x C), for a model whose input has its channels last.</summary>
    private static void InterleaveInto(ReadOnlySpan<byte> planar, int channels, int plane, Span<byte> target)
    {
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < channels; c++)
                target[i * channels + c] = planar[c * plane + i];
    }

    /// <summary>
    /// PIL's RGB to 'L': L = R * 299/1000 + G * 587/1000 + B * 114/1000 in its fixed-point form (weights in 1/65536,
    /// rounded), so gray pixels stay exactly what they were.
    /// </summary>
    public static byte Luminance(byte r, byte g, byte b) => (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);

    private static SKCodec Open(string file)
    {
        SKCodec? codec;
        try
        {
            codec = SKCodec.Create(file, out var result);
            if (codec == null)
                // Skia says Unimplemented for contents no decoder recognizes, which reads like a fault of its own.
                throw new DataFormatException(file, null, result == SKCodecResult.Unimplemented
                    ? "not a PNG, JPEG, BMP, GIF or WebP image (its contents are none of these)"
                    : $"not a readable image ({result})");
        }
        catch (IOException e)
        {
            throw new DataFormatException(file, null, $"cannot be read: {e.Message}", e);
        }
        return codec;
    }
}
