using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// MaxPool and AveragePool with every ONNX option. The input is padded explicitly (to -inf for max, 0 for
/// average) including the extra cells ceil_mode needs, then pooled without padding. Averages are computed
/// as a window sum divided by the number of cells that count, so count_include_pad, ceil_mode, dilations
/// and unequal pads need no special cases.
/// </summary>
public sealed class PoolKernel : Kernel<PoolSpec>
{
    protected override Tensor Forward(PoolSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        if (x.dim() != 4) throw new KernelException($"{spec.OpType} needs a 4-D input [N, C, H, W], got {ShapeOf(x)}");
        long[] spatial = x.shape[2..];
        long[] pads = spec.Padding.Resolve(spatial, spec.KernelShape, spec.Strides, spec.Dilations);
        var geometry = PoolGeometry.Compute(spatial, spec.KernelShape, spec.Strides, spec.Dilations, pads, spec.CeilMode);
        long[] fullPads = [pads[0], pads[1], pads[2] + geometry.ExtraEnd[0], pads[3] + geometry.ExtraEnd[1]];

        Tensor pooled = spec.Kind == PoolKind.Max
            ? nn.functional.max_pool2d(nn.functional.pad(x, TorchPadding.SpatialFromOnnx(fullPads), value: double.NegativeInfinity),
                spec.KernelShape, spec.Strides, [0, 0], spec.Dilations)
            : Average(x, spec, pads, fullPads);
        return pooled.narrow(2, 0, geometry.Output[0]).narrow(3, 0, geometry.Output[1]);
    }

    private static Tensor Average(Tensor x, PoolSpec spec, long[] pads, long[] fullPads)
    {
        long channels = x.shape[1];
        var windowOnes = ones([channels, 1, .. spec.KernelShape], x.dtype, x.device);
        var sums = nn.functional.conv2d(nn.functional.pad(x, TorchPadding.SpatialFromOnnx(fullPads)), windowOnes,
            strides: spec.Strides, dilation: spec.Dilations, groups: channels);

        // Cells that count: the input alone, or the input with its declared pads; never the ceil_mode overhang.
        long[] spatial = x.shape[2..];
        Tensor mask = spec.CountIncludePad
            ? ones([1, 1, spatial[0] + pads[0] + pads[2], spatial[1] + pads[1] + pads[3]], x.dtype, x.device)
            : nn.functional.pad(ones([1, 1, .. spatial], x.dtype, x.device), TorchPadding.SpatialFromOnnx(pads));
        long[] overhang = [fullPads[2] - pads[2], fullPads[3] - pads[3]];
        mask = nn.functional.pad(mask, [0, overhang[1], 0, overhang[0]]);
        var counts = nn.functional.conv2d(mask, ones([1, 1, .. spec.KernelShape], x.dtype, x.device),
            strides: spec.Strides, dilation: spec.Dilations);
        return sums / counts;
    }
}
