namespace ZilOnnx.Trainer.Kernels;

/// <summary>Conversions between ONNX pad lists and torch's.</summary>
internal static class TorchPadding
{
    /// <summary>ONNX [b0, b1, ..., e0, e1, ...] (first axis first) to torch's [b_last, e_last, ..., b0, e0] (last axis first).</summary>
    public static long[] FromOnnx(IReadOnlyList<long> onnxPads)
    {
        int rank = onnxPads.Count / 2;
        var torchPads = new long[2 * rank];
        for (int axis = 0; axis < rank; axis++)
        {
            int pair = rank - 1 - axis;
            torchPads[2 * pair] = onnxPads[axis];
            torchPads[2 * pair + 1] = onnxPads[axis + rank];
        }
        return torchPads;
    }

    /// <summary>Spatial ONNX pads of an [N, C, spatial...] tensor, widened with zero pads for N and C.</summary>
    public static long[] SpatialFromOnnx(IReadOnlyList<long> spatialPads)
    {
        int spatial = spatialPads.Count / 2;
        var full = new long[2 * (spatial + 2)];
        for (int i = 0; i < spatial; i++)
        {
            full[2 + i] = spatialPads[i];
            full[2 + i + spatial + 2] = spatialPads[i + spatial];
        }
        return FromOnnx(full);
    }
}
