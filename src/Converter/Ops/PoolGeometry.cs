using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>Output size of a pooling window sweep, as ONNX Runtime computes it.</summary>
public sealed record PoolGeometry(long[] Output, long[] ExtraEnd)
{
    public static PoolGeometry Compute(long[] input, long[] kernel, long[] strides, long[] dilations, long[] pads, bool ceilMode)
    {
        int n = input.Length;
        var output = new long[n];
        var extra = new long[n];
        for (int i = 0; i < n; i++)
        {
            long extent = (kernel[i] - 1) * dilations[i] + 1;
            long span = input[i] + pads[i] + pads[i + n] - extent;
            if (span < 0) throw new ShapeException($"pooling window {extent} is larger than the padded input " +
                $"{input[i] + pads[i] + pads[i + n]}");
            long outSize = (ceilMode ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
            // A window that would start inside the end padding is dropped.
            if (ceilMode && (outSize - 1) * strides[i] >= input[i] + pads[i]) outSize--;
            output[i] = outSize;
            extra[i] = Math.Max(0, (outSize - 1) * strides[i] + extent - (input[i] + pads[i] + pads[i + n]));
        }
        return new PoolGeometry(output, extra);
    }
}
