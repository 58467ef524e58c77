namespace ZilOnnx.Trainer.Data.Preprocessing;

/// <summary>
/// The geometric half of <see cref="ImagePreprocessing"/> on a decoded uint8 image (planar, C x H x W): Resize and
/// CenterCrop as torchvision 0.14 applies them to a PIL image. Per image and allocation-light, so that it runs
/// wherever an image is decoded.
/// </summary>
public static class ImageTransforms
{
    /// <summary>The size an image of <paramref name="height"/> x <paramref name="width"/> has after the spec's resize and crop.</summary>
    public static (int Height, int Width) OutputSize(ImagePreprocessing spec, int height, int width)
    {
        var (h, w) = ResizedSize(spec.Resize, height, width);
        return spec.CenterCrop is [int cropHeight, int cropWidth] ? (cropHeight, cropWidth) : (h, w);
    }

    /// <summary>
    /// torchvision's output size: [H, W] as given; [S] puts the shorter side at S and the longer at int(S * long / short)
    /// (Python's true division, then truncation), the longer side being the width when the sides are equal.
    /// </summary>
    public static (int Height, int Width) ResizedSize(int[]? resize, int height, int width)
    {
        switch (resize)
        {
            case null: return (height, width);
            case [int h, int w]: return (h, w);
            case [int shorter]:
                int small = Math.Min(height, width), large = Math.Max(height, width);
                int longer = (int)((double)shorter * large / small);
                return width <= height ? (longer, shorter) : (shorter, longer);
            default: throw new ArgumentException("resize is [S] or [H, W]");
        }
    }

    /// <summary>
    /// Resizes and crops the image (<paramref name="channels"/> planes of <paramref name="height"/> x <paramref name="width"/>)
    /// into <paramref name="target"/>, planar, of the spec's output size.
    /// </summary>
    public static void Apply(ImagePreprocessing spec, ReadOnlySpan<byte> image, int channels, int height, int width, Span<byte> target)
    {
        var (h, w) = ResizedSize(spec.Resize, height, width);
        var (outHeight, outWidth) = OutputSize(spec, height, width);
        byte[]? resized = (h, w) == (height, width) ? null : new byte[channels * h * w];
        for (int c = 0; c < channels; c++)
        {
            var plane = image.Slice(c * height * width, height * width);
            if (resized != null)
            {
                PilBilinearResize.ResizePlane(plane, height, width, resized.AsSpan(c * h * w, h * w), h, w);
                plane = resized.AsSpan(c * h * w, h * w);
            }
            CenterCropPlane(plane, h, w, target.Slice(c * outHeight * outWidth, outHeight * outWidth), outHeight, outWidth);
        }
    }

    /// <summary>
    /// torchvision's CenterCrop: where the crop is larger than the image, the image is first padded with zeros,
    /// (crop - size) // 2 before and the rest after; the crop then starts at int(round((size - crop) / 2.0)), rounding
    /// half to even as Python does. A crop of the image's own size copies it.
    /// </summary>
    public static void CenterCropPlane(ReadOnlySpan<byte> plane, int height, int width, Span<byte> target, int cropHeight, int cropWidth)
    {
        var (padTop, paddedHeight) = Padding(height, cropHeight);
        var (padLeft, paddedWidth) = Padding(width, cropWidth);
        int top = Offset(paddedHeight, cropHeight) - padTop, left = Offset(paddedWidth, cropWidth) - padLeft;
        for (int y = 0; y < cropHeight; y++)
        {
            int sy = top + y;
            var row = target.Slice(y * cropWidth, cropWidth);
            if (sy < 0 || sy >= height)
            {
                row.Clear();
                continue;
            }
            for (int x = 0; x < cropWidth; x++)
            {
                int sx = left + x;
                row[x] = sx >= 0 && sx < width ? plane[sy * width + sx] : (byte)0;
            }
        }
    }

    private static (int Before, int PaddedSize) Padding(int size, int crop) => crop > size ? ((crop - size) / 2, crop) : (0, size);

    private static int Offset(int size, int crop) => (int)Math.Round((size - crop) / 2.0, MidpointRounding.ToEven);
}
