using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>DepthToSpace as reshape, permute, reshape; DCR and CRD differ only in where the block offsets sit in C.</summary>
public sealed class DepthToSpaceKernel : Kernel<DepthToSpaceSpec>
{
    protected override Tensor Forward(DepthToSpaceSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "input");
        long b = spec.BlockSize;
        if (x.dim() != 4 || x.size(1) % (b * b) != 0)
            throw new KernelException($"DepthToSpace needs [N, C, H, W] with C a multiple of {b * b}, got {ShapeOf(x)}");
        long n = x.size(0), c = x.size(1) / (b * b), h = x.size(2), w = x.size(3);
        Tensor blocks = spec.Mode == DepthToSpaceMode.Dcr
            ? x.reshape(n, b, b, c, h, w).permute(0, 3, 4, 1, 5, 2)
            : x.reshape(n, c, b, b, h, w).permute(0, 1, 4, 2, 5, 3);
        return blocks.reshape(n, c, h * b, w * b);
    }
}

public sealed class SpaceToDepthKernel : Kernel<SpaceToDepthSpec>
{
    protected override Tensor Forward(SpaceToDepthSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "input");
        long b = spec.BlockSize;
        if (x.dim() != 4 || x.size(2) % b != 0 || x.size(3) % b != 0)
            throw new KernelException($"SpaceToDepth needs [N, C, H, W] with H and W multiples of {b}, got {ShapeOf(x)}");
        long n = x.size(0), c = x.size(1), h = x.size(2) / b, w = x.size(3) / b;
        return x.reshape(n, c, h, b, w, b).permute(0, 3, 5, 1, 2, 4).reshape(n, c * b * b, h, w);
    }
}

public sealed class TileKernel : Kernel<TileSpec>
{
    protected override Tensor Forward(TileSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "input");
        if (spec.Repeats.Length != x.dim()) throw new KernelException($"Tile: {spec.Repeats.Length} repeats for input {ShapeOf(x)}");
        return x.repeat(spec.Repeats);
    }
}

/// <summary>
/// Resize and Upsample, one axis at a time: nearest mode reads one input cell per output cell (index_select), linear
/// mode blends two with the weights the converter computed. Both are linear in the input, so the local
/// vector-Jacobian product is the transposed sampling.
/// </summary>
public sealed class ResizeKernel : Kernel<ResizeSpec>
{
    protected override Tensor Forward(ResizeSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        long[] shape = x.Sizes();
        int rank = shape.Length;
        if ((spec.Sizes?.Length
            ?? spec.Scales!.Length) != rank) throw new KernelException($"{spec.OpType}: scales or sizes do not fit input {ShapeOf(x)}");
        Tensor y = x.alias();
        for (int axis = 0; axis < rank; axis++)
        {
            if (spec.Unchanged(shape, axis)) continue;
            var sampling = spec.Sampling(shape, axis);
            using var low = tensor(sampling.Low, device: x.device);
            if (spec.Mode == ResizeMode.Nearest) { y = y.index_select(axis, low); continue; }
            using var high = tensor(sampling.High, device: x.device);
            long[] weightShape = Enumerable.Range(0, rank).Select(i => i == axis ? sampling.HighWeight.Length : 1L).ToArray();
            using var highWeight = tensor(sampling.HighWeight, dtype: x.dtype, device: x.device).reshape(weightShape);
            y = (y.index_select(axis, low) * highWeight.SubtractedFrom(1)).Plus(y.index_select(axis, high) * highWeight);
        }
        return y;
    }
}
