using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// Torch's windowed functions by spatial rank. 1-D runs as 2-D over a unit height axis (torch's 1-D functions take
/// scalar options only; the unit axis changes neither the result nor its gradients); 2-D and 3-D call torch directly.
/// Padding, where taken, is torch's (equal at both ends of each axis); callers pad unequal ONNX pads explicitly.
/// </summary>
internal static class SpatialFunctions
{
    public static Tensor Convolution(Tensor x, Tensor w, Tensor? b, long[] strides, long[] dilations, long groups,
        long[]? padding = null) => (x.dim() - 2) switch
        {
            1 => nn.functional.conv2d(x.unsqueeze(2), w.unsqueeze(2), b, strides: [1, .. strides], padding: [0, .. padding ?? [0]],
                dilation: [1, .. dilations], groups: groups).squeeze(2),
            2 => nn.functional.conv2d(x, w, b, strides: strides, padding: padding ?? [0, 0], dilation: dilations, groups: groups),
            3 => nn.functional.conv3d(x, w, b, strides: strides, padding: padding ?? [0, 0, 0], dilation: dilations, groups: groups),
            var rank => throw new KernelException($"{rank}-D convolution has no kernel"),
        };

    /// <summary>The full transposed convolution (no padding, no output padding, no bias).</summary>
    public static Tensor TransposedConvolution(Tensor x, Tensor w, long[] strides, long[] dilations, long groups) => (x.dim() - 2) switch
    {
        1 => nn.functional.conv_transpose2d(x.unsqueeze(2), w.unsqueeze(2), strides: [1, .. strides], padding: [0, 0], output_padding: [0,
            0],
            dilation: [1, .. dilations], groups: groups).squeeze(2),
        2 => nn.functional.conv_transpose2d(x, w, strides: strides, padding: [0, 0], output_padding: [0, 0], dilation: dilations,
            groups: groups),
        3 => nn.functional.conv_transpose3d(x, w, strides: strides, padding: [0, 0, 0], output_padding: [0, 0, 0], dilation: dilations,
            groups: groups),
        var rank => throw new KernelException($"{rank}-D transposed convolution has no kernel"),
    };

    /// <summary>
    /// Window maxima. Where several cells of a window tie for the maximum, torch's max pooling (and so the local
    /// vector-Jacobian product) sends the whole gradient to one of them, the first in the window's row-major order.
    /// </summary>
    public static Tensor MaxPool(Tensor x, long[] kernel, long[] strides, long[] dilations, long[]? padding = null,
        bool ceilMode = false) => (x.dim() - 2) switch
        {
            1 => nn.functional.max_pool2d(x.unsqueeze(2), [1, .. kernel], [1, .. strides], [0, .. padding ?? [0]], [1, .. dilations],
                ceilMode).squeeze(2),
            2 when GatheredMaxPool.Applies(x) => GatheredMaxPool.Pool(x, kernel, strides, padding ?? [0, 0], dilations, ceilMode).Values,
            2 => nn.functional.max_pool2d(x, kernel, strides, padding ?? [0, 0], dilations, ceilMode),
            3 => nn.functional.max_pool3d(x, kernel, strides, padding ?? [0, 0, 0], dilations, ceilMode),
            var rank => throw new KernelException($"{rank}-D max pooling has no kernel"),
        };

    /// <summary>Per-channel window sums: a depthwise convolution with a window of ones.</summary>
    public static Tensor WindowSum(Tensor x, long[] kernel, long[] strides, long[] dilations)
    {
        long channels = x.size(1);
        using var ones = TorchSharp.torch.ones([channels, 1, .. kernel], x.dtype, x.device);
        return Convolution(x, ones, null, strides, dilations, channels);
    }

    /// <summary>Keeps the first <paramref name="sizes"/>[i] cells of spatial axis i.</summary>
    /// <remarks>Axes already of their size are left alone: a narrow's backward writes the gradient into a new tensor of zeros.</remarks>
    public static Tensor NarrowSpatial(Tensor x, long[] sizes)
    {
        for (int i = 0; i < sizes.Length; i++)
            if (x.size(2 + i) != sizes[i]) x = x.narrow(2 + i, 0, sizes[i]);
        return x;
    }

    /// <summary>
    /// <paramref name="x"/> padded on its spatial axes by ONNX-ordered <paramref name="pads"/> with
    /// <paramref name="value"/>; <paramref name="x"/> itself where every pad is 0, sparing a copy and its backward.
    /// </summary>
    public static Tensor PadSpatial(Tensor x, long[] pads, double value = 0) =>
        pads.All(p => p == 0) ? x : nn.functional.pad(x, TorchPadding.SpatialFromOnnx(pads), value: value);
}
