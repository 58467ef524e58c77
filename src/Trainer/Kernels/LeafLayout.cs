using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// A product in the memory layout that autograd's AccumulateGrad gives a leaf's gradient: the strides of the leaf itself
/// where it is dense and non-overlapping, else contiguous (libtorch's layout contract). An elementwise closed form
/// hands its products over in that layout, so that the error a parent sums from them is laid out, and later reduced,
/// exactly as the autograd tape the closed form replaces would have left it (a broadcast reduction downstream, such as
/// a bias's sum over the batch, adds in another order on another layout).
/// </summary>
internal static class LeafLayout
{
    /// <summary>
    /// <paramref name="product"/> itself where it already obeys the contract for <paramref name="leaf"/>, else a copy that does.
    /// </summary>
    public static Tensor Of(Tensor product, Tensor leaf)
    {
        if (!IsDenseNonOverlapping(leaf)) return product.is_contiguous() ? product : product.contiguous();
        if (Obeys(product, leaf)) return product;
        var copy = empty_strided(leaf.shape, leaf.stride(), product.dtype, product.device);
        return copy.copy_(product);
    }

    /// <summary>libtorch's obeys_layout_contract: equal strides on every axis longer than 1, and no stride 0 on the others.</summary>
    private static bool Obeys(Tensor product, Tensor leaf)
    {
        long[] sizes = product.shape, strides = product.stride(), leafStrides = leaf.stride();
        for (int axis = 0; axis < sizes.Length; axis++)
            if (sizes[axis] != 1 ? strides[axis] != leafStrides[axis] : strides[axis] == 0) return false;
        return true;
    }

    /// <summary>Whether the axes, ordered by stride, tile the storage without gaps or overlaps (a permuted contiguous tensor).</summary>
    private static bool IsDenseNonOverlapping(Tensor t)
    {
        long[] sizes = t.shape, strides = t.stride();
        long expected = 1;
        foreach (int axis in Enumerable.Range(0, sizes.Length).Where(a => sizes[a] != 1).OrderBy(a => strides[a]).ThenByDescending(a => a))
        {
            if (strides[axis] != expected) return false;
            expected *= sizes[axis];
        }
        return true;
    }
}
