using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

public sealed class IdentityKernel : Kernel<IdentitySpec>
{
    // A view, not the input object itself, so that local autograd sees an operation between input and output.
    protected override Tensor Forward(IdentitySpec spec, IReadOnlyList<Tensor?> inputs) => Required(inputs, 0, "input").view_as(inputs[0]!);
}

public sealed class AddKernel : Kernel<AddSpec>
{
    protected override Tensor Forward(AddSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        Tensor a = Required(inputs, 0, "A"), b = Required(inputs, 1, "B");
        if (spec.Legacy is { } legacy) return a.Plus(Broadcast.Legacy(a, b, legacy, "Add"));
        Broadcast.Check(a, b, "Add");
        return a.Plus(b);
    }
}

public sealed class ActivationKernel : Kernel<ActivationSpec>
{
    protected override Tensor Forward(ActivationSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        return spec.Kind switch
        {
            Activation.Relu => nn.functional.relu(x),
            Activation.Sigmoid => sigmoid(x),
            Activation.Tanh => tanh(x),
            _ => throw new KernelException($"activation {spec.Kind} has no kernel"),
        };
    }
}

public sealed class FlattenKernel : Kernel<FlattenSpec>
{
    protected override Tensor Forward(FlattenSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "input");
        long axis = spec.Axis < 0 ? spec.Axis + x.dim() : spec.Axis;
        if (axis < 0 || axis > x.dim()) throw new KernelException($"Flatten axis {spec.Axis} is out of range for input {ShapeOf(x)}");
        return x.reshape(spec.OutputShape(x.Sizes()));
    }
}

public sealed class ReshapeKernel : Kernel<ReshapeSpec>
{
    protected override Tensor Forward(ReshapeSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "data");
        try { return x.reshape(spec.OutputShape(x.Sizes())); }
        catch (ArgumentException e) { throw new KernelException(e.Message); }
    }
}

public sealed class GlobalAveragePoolKernel : Kernel<GlobalAveragePoolSpec>
{
    protected override Tensor Forward(GlobalAveragePoolSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        if (x.dim() < 3) throw new KernelException($"GlobalAveragePool needs [N, C, spatial...], got {ShapeOf(x)}");
        long[] spatial = Enumerable.Range(2, (int)x.dim() - 2).Select(i => (long)i).ToArray();
        return x.mean(spatial, keepdim: true);
    }
}

public sealed class SoftmaxKernel : Kernel<SoftmaxSpec>
{
    protected override Tensor Forward(SoftmaxSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "input");
        long axis = spec.Axis < 0 ? spec.Axis + x.dim() : spec.Axis;
        if (axis < 0 || axis >= Math.Max(1,
            x.dim())) throw new KernelException($"{spec.OpType} axis {spec.Axis} is out of range for {ShapeOf(x)}");
        if (!spec.CoerceTo2D) return spec.Log ? nn.functional.log_softmax(x, axis) : nn.functional.softmax(x, axis);
        // Before opset 13 the normalisation runs over every axis from `axis` on.
        long outer = x.Sizes().Take((int)axis).Aggregate(1L, (p, d) => p * d);
        var flat = x.reshape(outer, -1);
        return (spec.Log ? nn.functional.log_softmax(flat, 1) : nn.functional.softmax(flat, 1)).reshape(x.Sizes());
    }
}

/// <summary>
/// Pad in every mode. Constant padding is torch's (negative pads crop). The other modes crop negative pads first,
/// then read each new cell from the input cell its mode names (index_select per axis), which works for any rank
/// and any pad size, and whose gradient sums each new cell's error into the cell it copies.
/// </summary>
public sealed class PadKernel : Kernel<PadSpec>
{
    protected override Tensor Forward(PadSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "data");
        long[] pads;
        try { pads = spec.ForRank((int)x.dim()); }
        catch (ArgumentException e) { throw new KernelException(e.Message); }
        if (spec.Mode == PadMode.Constant)
            return nn.functional.pad(x, TorchPadding.FromOnnx(pads), TorchSharp.PaddingModes.Constant, spec.Value);

        int rank = (int)x.dim();
        long[] crops = pads.Select(p => Math.Min(0, p)).ToArray();
        Tensor y = crops.Any(c => c != 0) ? nn.functional.pad(x, TorchPadding.FromOnnx(crops)) : x.alias();
        for (int axis = 0; axis < rank; axis++)
        {
            long before = Math.Max(0, pads[axis]), after = Math.Max(0, pads[axis + rank]);
            if (before == 0 && after == 0) continue;
            long size = y.size(axis);
            if (size == 0) throw new KernelException($"Pad: mode {spec.Mode} cannot pad axis {axis} of {ShapeOf(x)}, which has no cells " +
                $"to copy from");
            long[] source = Enumerable.Range(0, (int)(size + before + after)).Select(j => PadSource.Of(spec.Mode, j - before,
                size)).ToArray();
            using var index = tensor(source, device: y.device);
            y = y.index_select(axis, index);
        }
        return y;
    }
}
