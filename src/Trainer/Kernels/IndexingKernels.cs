using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>Selections whose vector-Jacobian product scatters the error back to the positions read.</summary>
internal static class Selection
{
    /// <summary>The window as differentiable torch operations: a narrow per axis with step 1, an index_select otherwise.</summary>
    public static Tensor Window(Tensor x, StridedWindow window)
    {
        // A view even when the window is the whole tensor, so that local autograd sees an operation.
        x = x.view_as(x);
        for (int axis = 0; axis < window.Shape.Length; axis++)
        {
            long start = window.Start[axis], step = window.Step[axis], count = window.Shape[axis];
            if (start == 0 && step == 1 && count == x.shape[axis]) continue;
            if (step == 1) { x = x.narrow(axis, start, count); continue; }
            long[] picked = Enumerable.Range(0, (int)count).Select(i => start + i * step).ToArray();
            x = x.index_select(axis, tensor(picked, device: x.device));
        }
        return x;
    }
}

public sealed class GatherKernel : Kernel<GatherSpec>
{
    protected override Tensor Forward(GatherSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "data");
        long[] shape = SpecShapes.Checked(() => spec.InferShape([x.shape]));
        int axis = spec.ResolvedAxis((int)x.dim());
        long[] indices = spec.ResolvedIndices(x.shape[axis]);
        return x.index_select(axis, tensor(indices, device: x.device)).reshape(shape);
    }
}

public sealed class SliceKernel : Kernel<SliceSpec>
{
    protected override Tensor Forward(SliceSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "data");
        return Selection.Window(x, SpecShapes.Checked(() => spec.Window(x.shape)));
    }
}

public sealed class SplitKernel : Kernel<SplitSpec>
{
    protected override Tensor Forward(SplitSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "input");
        return Selection.Window(x, SpecShapes.Checked(() => spec.Part(x.shape)));
    }
}

public sealed class ConcatKernel : Kernel<ConcatSpec>
{
    protected override Tensor Forward(ConcatSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var parts = inputs.Where(t => t is not null).Select(t => t!).ToList();
        SpecShapes.Checked(() => spec.InferShape(parts.Select(p => (long[]?)p.shape).ToList()));
        if (parts.Select(p => p.dtype).Distinct().Count() > 1)
            throw new KernelException($"Concat: inputs have different element types ({string.Join(", ", parts.Select(p => p.dtype))})");
        return cat(parts, spec.ResolvedAxis((int)parts[0].dim()));
    }
}
