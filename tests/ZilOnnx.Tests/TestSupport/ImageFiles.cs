using SkiaSharp;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>Writes test images at test time (no image files are committed).</summary>
public static class ImageFiles
{
    /// <summary>A grayscale PNG of <paramref name="pixels"/> (height x width bytes, row-major).</summary>
    public static void WriteGrayPng(string file, ReadOnlySpan<byte> pixels, int height, int width)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        pixels.CopyTo(bitmap.GetPixelSpan());
        Write(file, bitmap, SKEncodedImageFormat.Png);
    }

    /// <summary>An RGB image of <paramref name="rgb"/> (height x width x 3 bytes, interleaved) in <paramref name="format"/>.</summary>
    public static void WriteRgb(string file, ReadOnlySpan<byte> rgb, int height, int width, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var target = bitmap.GetPixelSpan();
        for (int i = 0; i < height * width; i++)
        {
            target[4 * i] = rgb[3 * i];
            target[4 * i + 1] = rgb[3 * i + 1];
            target[4 * i + 2] = rgb[3 * i + 2];
            target[4 * i + 3] = 255;
        }
        Write(file, bitmap, format);
    }

    private static void Write(string file, SKBitmap bitmap, SKEncodedImageFormat format)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        using var data = bitmap.Encode(format, 100);
        using var stream = File.Create(file);
        data.SaveTo(stream);
    }
}
