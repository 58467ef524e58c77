using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// Training-mode dropout: y = x * mask, the mask holding 0 for a dropped element and 1 / (1 - ratio) for a kept one
/// (<see cref="Pcn.DropoutMasks"/>). Without a mask (nothing is being trained: run, eval) it is the identity, the
/// inference form.
/// </summary>
public sealed class DropoutKernel : Kernel<DropoutSpec>
{
    /// <summary>The input slot the mask is passed in, after ONNX Dropout's data, ratio and training_mode.</summary>
    public const int MaskSlot = 3;

    protected override Tensor Forward(DropoutSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "data");
        if (Optional(inputs, MaskSlot) is not { } mask) return x.view_as(x);
        if (!mask.Sizes().SequenceEqual(x.Sizes()))
            throw new KernelException($"Dropout mask {ShapeOf(mask)} does not fit data {ShapeOf(x)}");
        return x * mask;
    }
}
