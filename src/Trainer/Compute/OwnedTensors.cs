using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Compute;

/// <summary>
/// Tensors made from .NET arrays, in memory of libtorch's own. TorchSharp copies an array it is given into a pinned
/// managed buffer, which is aligned to 8 or 16 bytes only, wherever the garbage collector placed it; libtorch's
/// vectorized kernels take another path for such data and round float sums in another order, so two runs on the
/// same numbers could differ in their last bits. One more copy, into libtorch's 64-byte aligned allocation, makes
/// every run compute the same.
/// </summary>
public static class OwnedTensors
{
    /// <param name="values">float[], double[] or long[], row-major in <paramref name="shape"/>.</param>
    /// <param name="dtype">The element type to convert to; the array's own when null.</param>
    public static Tensor FromArray(Array values, long[] shape, Device device, ScalarType? dtype = null)
    {
        using var staged = values switch
        {
            float[] f => tensor(f, shape),
            double[] d => tensor(d, shape),
            long[] l => tensor(l, shape),
            _ => throw new ArgumentException($"tensors are made from float[], double[] or long[], not {values.GetType()}"),
        };
        return staged.to(dtype ?? staged.dtype, device, copy: true);
    }
}
