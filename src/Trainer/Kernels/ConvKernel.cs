using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

public sealed class ConvKernel : Kernel<ConvSpec>
{
    protected override Tensor Forward(ConvSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        Tensor x = Required(inputs, 0, "X"), w = Required(inputs, 1, "W");
        Tensor? b = Optional(inputs, 2);
        if (x.dim() != 4 || w.dim() != 4)
            throw new KernelException($"Conv needs a 4-D input and weight, got X {ShapeOf(x)} and W {ShapeOf(w)}");
        if (x.shape[1] != w.shape[1] * spec.Group || w.shape[0] % spec.Group != 0)
            throw new KernelException($"Conv: X {ShapeOf(x)} has {x.shape[1]} channels, W {ShapeOf(w)} with group {spec.Group} expects {w.shape[1] * spec.Group}");
        if (b is not null && (b.dim() != 1 || b.shape[0] != w.shape[0]))
            throw new KernelException($"Conv: bias {ShapeOf(b)} does not match {w.shape[0]} output channels");

        long[] pads = spec.Padding.Resolve(x.shape[2..], w.shape[2..], spec.Strides, spec.Dilations);
        bool symmetric = pads[0] == pads[2] && pads[1] == pads[3];
        // torch pads both sides equally; unequal ONNX pads (SAME with an odd total) are applied explicitly.
        Tensor input = symmetric ? x : nn.functional.pad(x, TorchPadding.SpatialFromOnnx(pads));
        long[] padding = symmetric ? [pads[0], pads[1]] : [0, 0];
        return nn.functional.conv2d(input, w, b, strides: spec.Strides, padding: padding, dilation: spec.Dilations, groups: spec.Group);
    }
}
