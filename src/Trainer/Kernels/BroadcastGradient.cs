using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The gradient of an input that broadcasting stretched to a larger shape, summed back to its own shape as autograd
/// sums it (libtorch's sum_to: the leading dimensions and those of size 1 reduced in one sum, kept, then viewed).
/// </summary>
internal static class BroadcastGradient
{
    public static Tensor SumTo(Tensor gradient, long[] shape)
    {
        long[] sizes = gradient.Sizes();
        int leading = sizes.Length - shape.Length;
        var dims = Enumerable.Range(0, sizes.Length)
            .Where(d => d < leading || (shape[d - leading] == 1 && sizes[d] != 1))
            .Select(d => (long)d).ToArray();
        if (dims.Length == 0) return gradient;
        var summed = gradient.sum(dims, keepdim: true);
        return leading > 0 ? summed.view(shape) : summed;
    }
}
