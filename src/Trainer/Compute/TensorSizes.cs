using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Compute;

/// <summary>
/// A tensor's sizes, read one axis at a time. TorchSharp's <c>shape</c> hands the sizes back through a managed callback
/// that allocates a pinned array, about 0.5 to 0.8 us a call on the bench machine, where <c>dim()</c> and <c>size(i)</c>
/// are plain native calls (about 0.1 us for a rank-3 tensor); the kernels and closed forms read shapes several times per
/// vertex and step, which on a small model such as the text Transformer adds up to a visible part of a step.
/// </summary>
public static class TensorSizes
{
    /// <summary>The same array <c>shape</c> gives.</summary>
    public static long[] Sizes(this Tensor t)
    {
        var sizes = new long[t.dim()];
        for (int axis = 0; axis < sizes.Length; axis++) sizes[axis] = t.size(axis);
        return sizes;
    }
}
