namespace ZilOnnx.Trainer.Data.Preprocessing;

/// <summary>
/// PIL's Image.resize with BILINEAR on 8-bit channels (what torchvision 0.14's Resize does to a PIL image), bit for
/// bit: a triangle filter whose support widens with the downscale factor (antialiasing), applied in two separable
/// passes, horizontal then vertical. Each output pixel's weights are computed in double, normalized to sum to one,
/// then turned into integers with 22 fractional bits; a pass sums pixel * weight in integers with half a unit added
/// and keeps the integer part clipped to 0..255, so the intermediate image is uint8 as PIL's is.
/// </summary>
public static class PilBilinearResize
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes one channel plane (height x width, row-major) into <paramref name="target"/> (newHeight x newWidth).</summary>
    public static void ResizePlane(ReadOnlySpan<byte> source, int height, int width, Span<byte> target, int newHeight, int newWidth)
    {
        // PIL copies an image resized to its own size; the filter would give the same pixels, the copy is just quicker.
        if (height == newHeight && width == newWidth)
        {
            source[..(height * width)].CopyTo(target);
            return;
        }
        var horizontal = Weights.For(width, newWidth);
        var vertical = Weights.For(height, newHeight);
        var rows = new byte[height * newWidth];
        for (int y = 0; y < height; y++)
            horizontal.Apply(source.Slice(y * width, width), 1, rows.AsSpan(y * newWidth, newWidth), 1);
        for (int x = 0; x < newWidth; x++)
            vertical.Apply(rows.AsSpan(x), newWidth, target[x..], newWidth);
    }

    /// <summary>The integer weights of one axis: for each output position, the first input it reads and the weights of the inputs from
    /// there.</summary>
    private sealed class Weights
    {
        private readonly int[] first, count, kernels;
        private readonly int kernelSize;

        private Weights(int[] first, int[] count, int[] kernels, int kernelSize) => (this.first, this.count, this.kernels,
            this.kernelSize) = (first, count, kernels, kernelSize);

        public static Weights For(int inSize, int outSize)
        {
            double scale = (double)inSize / outSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = 1.0 * filterScale;  // the bilinear filter's support is 1
            int kernelSize = (int)Math.Ceiling(support) * 2 + 1;
            var first = new int[outSize];
            var count = new int[outSize];
            var kernels = new int[outSize * kernelSize];
            var weights = new double[kernelSize];
            for (int xx = 0; xx < outSize; xx++)
            {
                double center = (xx + 0.5) * scale;
                double inverse = 1.0 / filterScale;
                // Truncation toward zero, like C's (int) cast: the bounds PIL computes.
                int xmin = Math.Max((int)(center - support + 0.5), 0);
                int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
                double sum = 0.0;
                for (int x = 0; x < xmax; x++)
                {
                    double w = Triangle((x + xmin - center + 0.5) * inverse);
                    weights[x] = w;
                    sum += w;
                }
                for (int x = 0; x < xmax; x++)
                {
                    double w = sum != 0.0 ? weights[x] / sum : weights[x];
                    kernels[xx * kernelSize + x] = (int)(w < 0 ? -0.5 + w * (1 << PrecisionBits) : 0.5 + w * (1 << PrecisionBits));
                }
                first[xx] = xmin;
                count[xx] = xmax;
            }
            return new Weights(first, count, kernels, kernelSize);
        }

        /// <summary>One line of the pass: <paramref name="input"/> and <paramref name="output"/> read with the given strides.</summary>
        public void Apply(ReadOnlySpan<byte> input, int inputStride, Span<byte> output, int outputStride)
        {
            for (int xx = 0; xx < first.Length; xx++)
            {
                int sum = 1 << (PrecisionBits - 1);
                int k = xx * kernelSize;
                for (int x = 0; x < count[xx]; x++)
                    sum += input[(first[xx] + x) * inputStride] * kernels[k + x];
                output[xx * outputStride] = (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);
            }
        }

        private static double Triangle(double x)
        {
            if (x < 0.0) x = -x;
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
