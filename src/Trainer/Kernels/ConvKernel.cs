using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>1-D, 2-D or 3-D convolution.</summary>
public sealed class ConvKernel : Kernel<ConvSpec>
{
    protected override Tensor Forward(ConvSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        Tensor x = Required(inputs, 0, "X"), w = Required(inputs, 1, "W");
        Tensor? b = Optional(inputs, 2);
        SpecShapes.Check(spec, x, w, b);
        int rank = spec.SpatialRank;

        long[] pads = spec.Padding.Resolve(x.Sizes()[2..], w.Sizes()[2..], spec.Strides, spec.Dilations);
        bool symmetric = Enumerable.Range(0, rank).All(i => pads[i] == pads[i + rank]);
        // torch pads both ends of an axis equally; unequal ONNX pads (SAME with an odd total) are applied explicitly.
        Tensor input = symmetric ? x : nn.functional.pad(x, TorchPadding.SpatialFromOnnx(pads));
        long[] padding = symmetric ? pads[..rank] : new long[rank];
        return SpatialFunctions.Convolution(input, w, b, spec.Strides, spec.Dilations, spec.Group, padding);
    }
}

/// <summary>
/// 1-D, 2-D or 3-D transposed convolution: torch's full transposed convolution, then the ONNX pads cropped from (or,
/// where output_padding or output_shape reach beyond it, zeros added to) each end, then the bias.
/// </summary>
public sealed class ConvTransposeKernel : Kernel<ConvTransposeSpec>
{
    protected override Tensor Forward(ConvTransposeSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        Tensor x = Required(inputs, 0, "X"), w = Required(inputs, 1, "W");
        Tensor? b = Optional(inputs, 2);
        SpecShapes.Check(spec, x, w, b);
        int rank = spec.SpatialRank;
        long outputChannels = w.size(1) * spec.Group;

        var (output, pads) = spec.Geometry(x.Sizes()[2..], w.Sizes()[2..]);
        Tensor full = SpatialFunctions.TransposedConvolution(x, w, spec.Strides, spec.Dilations, spec.Group);
        // Pads crop the full result; output_padding is part of ONNX's full size but not torch's, so the end is
        // adjusted to the exact output size (a negative crop adds zero cells).
        var adjust = new long[2 * rank];
        for (int i = 0; i < rank; i++)
        {
            adjust[i] = -pads[i];
            adjust[i + rank] = output[i] - (full.size(2 + i) - pads[i]);
        }
        Tensor y = SpatialFunctions.PadSpatial(full, adjust);
        return b is null ? y : y.Plus(b.reshape([1, outputChannels, .. Enumerable.Repeat(1L, rank)]));
    }
}
