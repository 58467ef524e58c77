using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// 2-D MaxPool's product: the backward of <see cref="PoolKernel"/>'s max pooling as autograd runs it, from the positions
/// of the maxima its forward pass keeps (the pooling reports them at no extra cost), so neither rule pools twice: on the
/// CPU gather's scatter_add (<see cref="GatheredMaxPool"/>), elsewhere libtorch's max_pool2d_with_indices_backward. Where
/// torch pools with the pads itself (<see cref="PooledWindow.TorchPads"/>) that product is the input's; otherwise the
/// kernel's explicit pad to -inf and the narrow to ONNX's output size are undone as autograd undoes them, by moving the
/// gradient without arithmetic: each error lands on the first maximum of its window, as on the tape. 1-D and 3-D pooling
/// stay on tapes.
/// </summary>
public sealed class MaxPoolClosedForm : KeepingClosedForm<PoolSpec>
{
    protected override bool Covers(PoolSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        spec.Kind == PoolKind.Max && spec.SpatialRank == 2 && shapes.Count > 0 && shapes[0] is { Length: 4 };

    protected override (Tensor Output, Tensor[] Kept) Forward(PoolSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = inputs[0]!;
        var window = PooledWindow.Of(x, spec);
        // The backward operator reads its input's shape and layout only; the pooled input is kept as autograd keeps it.
        if (window.TorchPads is { } pads)
        {
            var (output, maxima) = Pool(x, spec, pads, spec.CeilMode);
            return (output, [maxima, x]);
        }
        var padded = SpatialFunctions.PadSpatial(x, window.FullPads, double.NegativeInfinity);
        var (pooled, positions) = Pool(padded, spec, [0, 0], ceilMode: false);
        return (SpatialFunctions.NarrowSpatial(pooled, window.Output), [positions, padded]);
    }

    /// <summary>The maxima and their positions, by the pooling <see cref="SpatialFunctions.MaxPool"/> runs on this device.</summary>
    private static (Tensor Output, Tensor Positions) Pool(Tensor input, PoolSpec spec, long[] pads, bool ceilMode) =>
        GatheredMaxPool.Applies(input)
            ? GatheredMaxPool.Pool(input, spec.KernelShape, spec.Strides, pads, spec.Dilations, ceilMode)
            : nn.functional.max_pool2d_with_indices(input, spec.KernelShape, spec.Strides, pads, spec.Dilations, ceilMode);

    protected override Tensor?[] Products(PoolSpec spec, IReadOnlyList<Tensor?> inputs, Tensor error, IReadOnlyList<bool> wanted,
        Tensor[] kept)
    {
        var x = inputs[0]!;
        var window = PooledWindow.Of(x, spec);
        var (positions, pooledInput) = (kept[0], kept[1]);
        // The narrow's backward: the error in a tensor of zeros of the pooled size, where the kernel cut windows off.
        var pooledError = error;
        if (!error.Sizes().SequenceEqual(positions.Sizes()))
        {
            pooledError = zeros(positions.Sizes(), error.dtype, error.device);
            SpatialFunctions.NarrowSpatial(pooledError, window.Output).copy_(error);
        }
        var torchPads = window.TorchPads;
        var product = GatheredMaxPool.Applies(pooledInput)
            ? GatheredMaxPool.Product(pooledError, positions, pooledInput)
            : PooledBackward(spec, torchPads, pooledError, pooledInput, positions);
        // The pad's backward (constant_pad_nd with the pads negated): the input's cells cut out of the padded plane, cloned.
        if (torchPads is null && window.FullPads.Any(p => p != 0)) product = Unpad(product, window.FullPads).clone();
        var products = new Tensor?[inputs.Count];
        products[0] = product;
        return products;
    }

    /// <summary>max_pool2d_with_indices_backward, the operator autograd's node runs for max_pool2d.</summary>
    private static Tensor PooledBackward(PoolSpec spec, long[]? torchPads, Tensor error, Tensor input, Tensor positions)
    {
        string ceilMode = torchPads is not null && spec.CeilMode ? "True" : "False";
        return ScriptedOperation.Run("grad: Tensor, input: Tensor, indices: Tensor",
            [$"return torch.max_pool2d_with_indices_backward(grad, input, {ScriptedOperation.List(spec.KernelShape)}, " +
             $"{ScriptedOperation.List(spec.Strides)}, {ScriptedOperation.List(torchPads ?? [0, 0])}, " +
             $"{ScriptedOperation.List(spec.Dilations)}, {ceilMode}, indices)"],
            error, input, positions)[0];
    }

    private static Tensor Unpad(Tensor padded, long[] pads) =>
        padded.narrow(2, pads[0], padded.size(2) - pads[0] - pads[2]).narrow(3, pads[1], padded.size(3) - pads[1] - pads[3]);
}
