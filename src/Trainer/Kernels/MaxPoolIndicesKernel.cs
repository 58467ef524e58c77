using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The positions of 2-D MaxPool's maxima as ONNX defines them. The input is padded as the forward pass pads it,
/// torch reports positions in the padded plane (the first maximum of a window on ties, the rule the forward pass
/// follows too), and those are moved back to the unpadded input and flattened over [N, C, H, W].
/// </summary>
public sealed class MaxPoolIndicesKernel : Kernel<MaxPoolIndicesSpec>
{
    protected override Tensor Forward(MaxPoolIndicesSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        var pool = spec.Pool;
        if (pool.SpatialRank != 2) throw new KernelException($"MaxPool's Indices output is supported for 2-D pooling, not " +
            $"{pool.SpatialRank}-D");
        var window = PooledWindow.Of(x, pool);
        using var padded = SpatialFunctions.PadSpatial(x.detach(), window.FullPads, double.NegativeInfinity);
        var (_, flat) = nn.functional.max_pool2d_with_indices(padded, pool.KernelShape, pool.Strides, [0, 0], pool.Dilations);
        flat = SpatialFunctions.NarrowSpatial(flat, window.Output);

        long batch = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3);
        long paddedWidth = padded.size(3);
        var h = flat.FloorDividedBy(paddedWidth).Minus(window.Pads[0]);
        var w = flat.Remainder(paddedWidth).Minus(window.Pads[1]);
        var plane = ScalarSafeMath.Arange(batch, ScalarType.Int64, x.device).reshape(-1, 1, 1, 1).Times(channels)
            .Plus(ScalarSafeMath.Arange(channels, ScalarType.Int64, x.device).reshape(1, -1, 1, 1)).Times(height * width);
        return plane.Plus(spec.ColumnMajor ? w.Times(height).Plus(h) : h.Times(width).Plus(w));
    }
}
