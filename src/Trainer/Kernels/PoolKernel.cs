using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// 1-D, 2-D or 3-D MaxPool and AveragePool with every ONNX option. Max pooling whose pads torch takes itself (see
/// <see cref="PooledWindow.TorchPads"/>) runs as torch's pooling with those pads and ceil_mode, as PyTorch's own
/// models pool; any other input is padded explicitly (to -inf for max, 0 for average) including the extra cells
/// ceil_mode needs, then pooled without padding. Averages are computed as a window sum divided by the number of
/// cells that count, so count_include_pad, ceil_mode, dilations and unequal pads need no special cases. Max pooling
/// ties: see <see cref="SpatialFunctions.MaxPool"/>.
/// </summary>
public sealed class PoolKernel : Kernel<PoolSpec>
{
    protected override Tensor Forward(PoolSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        var window = PooledWindow.Of(x, spec);
        Tensor pooled = (spec.Kind, window.TorchPads) switch
        {
            (PoolKind.Max, { } pads) => SpatialFunctions.MaxPool(x, spec.KernelShape, spec.Strides, spec.Dilations, pads, spec.CeilMode),
            (PoolKind.Max, null) => SpatialFunctions.MaxPool(SpatialFunctions.PadSpatial(x, window.FullPads, double.NegativeInfinity),
                spec.KernelShape, spec.Strides, spec.Dilations),
            _ => window.Sums(x) / window.Counts(x, spec.CountIncludePad),
        };
        return SpatialFunctions.NarrowSpatial(pooled, window.Output);
    }
}

/// <summary>LpPool: (window sum of |x|^p)^(1/p) over the zero-padded input.</summary>
public sealed class LpPoolKernel : Kernel<LpPoolSpec>
{
    protected override Tensor Forward(LpPoolSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        var window = PooledWindow.Of(x, spec);
        // |x|^p for even p is x^p, whose gradient is defined everywhere; the p-th root has an infinite slope at 0, as
        // in torch's lp_pool, so a window of zeros gives no finite gradient.
        Tensor powered = spec.P % 2 == 0 ? x.Pow(spec.P) : x.abs().Pow(spec.P);
        return SpatialFunctions.NarrowSpatial(window.Sums(powered).Pow(1.0 / spec.P), window.Output);
    }
}

/// <summary>Maximum over every spatial axis: max pooling with one window as large as the input (same tie rule).</summary>
public sealed class GlobalMaxPoolKernel : Kernel<GlobalMaxPoolSpec>
{
    protected override Tensor Forward(GlobalMaxPoolSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        if (x.dim() < 3
            || x.dim() > 5) throw new KernelException($"GlobalMaxPool needs [N, C, spatial...] with 1 to 3 spatial axes, got {ShapeOf(x)}");
        long[] spatial = x.Sizes()[2..];
        long[] unit = Enumerable.Repeat(1L, spatial.Length).ToArray();
        return SpatialFunctions.MaxPool(x, spatial, unit, unit);
    }
}

/// <summary>The geometry of one pooling sweep over an actual input: its pads, the ceil_mode overhang, the output size.</summary>
internal sealed record PooledWindow(long[] Kernel, long[] Strides, long[] Dilations, long[] Pads, long[] FullPads, long[] Output)
{
    /// <summary>
    /// The pads as torch's max pooling takes them, one per axis, where that pooling with ceil_mode gives ONNX's windows:
    /// each axis padded equally at both ends and by at most half the kernel (torch's limit). Torch's ceil_mode drops a
    /// window that would start in the end padding as ONNX does (<see cref="PoolGeometry"/>), and treats the padding and
    /// the overhang as -inf, so the maxima are those of the explicit pad. Null where the kernel pads explicitly. The one
    /// difference is a window of -inf cells only: torch sends its gradient to the first input cell, the explicit pad to a
    /// pad cell, where it is dropped; neither is more right, and both rules (bp and Z-IL) run the same pooling.
    /// </summary>
    public long[]? TorchPads
    {
        get
        {
            int rank = Kernel.Length;
            var pads = Pads[..rank];
            bool taken = Enumerable.Range(0, rank).All(i => Pads[i + rank] == pads[i] && pads[i] <= Kernel[i] / 2);
            return taken ? pads : null;
        }
    }

    public static PooledWindow Of(Tensor x, IPoolingWindow window)
    {
        int rank = window.SpatialRank;
        if (x.dim() != rank
            + 2) throw new KernelException($"{window.OpType} ({rank}-D) needs an input of rank {rank + 2}, got " +
            $"[{string.Join(", ", x.Sizes())}]");
        long[] spatial = x.Sizes()[2..];
        long[] pads = window.Padding.Resolve(spatial, window.KernelShape, window.Strides, window.Dilations);
        var geometry = PoolGeometry.Compute(spatial, window.KernelShape, window.Strides, window.Dilations, pads, window.CeilMode);
        long[] fullPads = [.. pads[..rank], .. pads[rank..].Select((p, i) => p + geometry.ExtraEnd[i])];
        return new PooledWindow(window.KernelShape, window.Strides, window.Dilations, pads, fullPads, geometry.Output);
    }

    /// <summary>Window sums over the input zero-padded by the declared pads and the ceil_mode overhang.</summary>
    public Tensor Sums(Tensor x) =>
        SpatialFunctions.WindowSum(SpatialFunctions.PadSpatial(x, FullPads), Kernel, Strides, Dilations);

    /// <summary>Cells that count in each window: the input alone, or the input with its declared pads; never the ceil_mode
    /// overhang.</summary>
    public Tensor Counts(Tensor x, bool countIncludePad)
    {
        int rank = Kernel.Length;
        long[] spatial = x.Sizes()[2..];
        Tensor mask = countIncludePad
            ? ones([1, 1, .. spatial.Select((s, i) => s + Pads[i] + Pads[i + rank])], x.dtype, x.device)
            : SpatialFunctions.PadSpatial(ones([1, 1, .. spatial], x.dtype, x.device), Pads);
        long[] overhang = [.. new long[rank], .. Enumerable.Range(0, rank).Select(i => FullPads[i + rank] - Pads[i + rank])];
        mask = SpatialFunctions.PadSpatial(mask, overhang);
        return SpatialFunctions.WindowSum(mask, Kernel, Strides, Dilations);
    }
}
