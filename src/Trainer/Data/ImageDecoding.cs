using SkiaSharp;

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

    /// <summary>Decodes <paramref name="file"/> into <paramref name="target"/> (channels x height x width bytes).</summary>
    public static void DecodeInto(string file, int channels, int height, int width, Span<byte> target)
    {
        using var codec = Open(file);
        if (codec.Info.Height != height || codec.Info.Width != width)
            throw new DataFormatException(file, null,
                $"the image is {codec.Info.Height}x{codec.Info.Width} (HxW) but the model expects {height}x{width}; resize the images (--resize {height},{width})");

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

    /// <summary>
    /// Decodes <paramref name="files"/> into <paramref name="target"/> (one sample of <paramref name="geometry"/> after
    /// another), or throws for the first file in the list's order that does not decode, whichever thread met it first.
    /// </summary>
    public static void DecodeAll(IReadOnlyList<string> files, ImageGeometry geometry, byte[] target)
    {
        int size = geometry.SampleSize;
        var failures = new DataFormatException?[files.Count];
        // Decoding is the cost; images are independent, so they are decoded on all cores.
        Parallel.For(0, files.Count, i =>
        {
            try { DecodeInto(files[i], geometry.Channels, geometry.Height, geometry.Width, target.AsSpan(checked(i * size), size)); }
            catch (DataFormatException e) { failures[i] = e; }
            catch (Exception e) when (e is not OutOfMemoryException) { failures[i] = new DataFormatException(files[i], null, $"the image cannot be decoded: {e.Message}", e); }
        });
        if (failures.FirstOrDefault(f => f != null) is { } failure)
            throw failure;
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
