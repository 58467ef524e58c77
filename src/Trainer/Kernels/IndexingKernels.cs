using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
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
            if (start == 0 && step == 1 && count == x.size(axis)) continue;
            if (step == 1) { x = x.narrow(axis, start, count); continue; }
            x = x.index_select(axis, Picked(start, step, count, x.device));
        }
        return x;
    }

    /// <summary>
    /// The vector-Jacobian product of <see cref="Window"/>, run as autograd runs it: from the last axis selected to the
    /// first, a narrow's SliceBackward writes the error into a new tensor of zeros, an index_select's IndexSelectBackward
    /// adds it into one (index_add_); the first view's backward reshapes. So the closed forms of Slice and Split give
    /// autograd's product, bit for bit.
    /// </summary>
    public static Tensor WindowProduct(Tensor error, long[] inputShape, StridedWindow window)
    {
        var selected = new List<(int Axis, long[] ShapeBefore)>();
        var shape = (long[])inputShape.Clone();
        for (int axis = 0; axis < window.Shape.Length; axis++)
        {
            if (window.Start[axis] == 0 && window.Step[axis] == 1 && window.Shape[axis] == shape[axis]) continue;
            selected.Add((axis, (long[])shape.Clone()));
            shape[axis] = window.Shape[axis];
        }
        var product = error;
        for (int k = selected.Count - 1; k >= 0; k--)
        {
            var (axis, before) = selected[k];
            long start = window.Start[axis], step = window.Step[axis], count = window.Shape[axis];
            var scattered = zeros(before, product.dtype, product.device);
            if (step == 1) scattered.narrow(axis, start, count).copy_(product);
            else scattered.IndexAddInPlace(axis, Picked(start, step, count, product.device), product);
            product = scattered;
        }
        return product.reshape(inputShape);
    }

    private static Tensor Picked(long start, long step, long count, Device device) =>
        tensor(Enumerable.Range(0, (int)count).Select(i => start + i * step).ToArray(), device: device);
}

public sealed class GatherKernel : Kernel<GatherSpec>
{
    protected override Tensor Forward(GatherSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "data");
        long[] shape = SpecShapes.Checked(() => spec.InferShape([x.Sizes()]));
        int axis = spec.ResolvedAxis((int)x.dim());
        return x.index_select(axis, Index(spec, x, axis)).reshape(shape);
    }

    /// <summary>The index the selection reads (negative indices counted from the back), also for its closed form.</summary>
    internal static Tensor Index(GatherSpec spec, Tensor x, int axis) => tensor(spec.ResolvedIndices(x.size(axis)), device: x.device);
}

/// <summary>
/// An embedding lookup: the indices arrive as an int64 tensor per batch. The selection is an index_select,
/// whose vector-Jacobian product adds each error row into the table row it was read from, so a table row
/// that no id names gets a zero update.
/// </summary>
public sealed class GatherLookupKernel : Kernel<GatherLookupSpec>
{
    protected override Tensor Forward(GatherLookupSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "data");
        var ids = Required(inputs, 1, "indices");
        if (ids.is_floating_point() || ids.dtype == ScalarType.Bool)
            throw new KernelException($"Gather: indices must be int32 or int64, got {ids.dtype}");
        long[] shape = SpecShapes.Checked(() => spec.InferShape([x.Sizes(), ids.Sizes()]));
        int axis = spec.ResolvedAxis((int)x.dim());
        long size = x.size(axis);
        var flat = FlatIds(ids, x.device);
        // Negative ids count from the back, as ONNX defines; anything outside [-size, size) is a data error.
        using (var outside = logical_or(flat.LessThan(-size), flat.GreaterOrEqual(size)))
            if (outside.any().item<bool>())
            {
                long bad = flat.masked_select(outside)[0].item<long>();
                throw new KernelException($"Gather: index {bad} is out of range for an axis of size {size} (token ids must lie in " +
                    $"[{-size}, {size}))");
            }
        return x.index_select(axis, Rows(flat, size)).reshape(shape);
    }

    /// <summary>The ids as one int64 row of the table's device.</summary>
    internal static Tensor FlatIds(Tensor ids, Device device) => ids.to(ScalarType.Int64, device).flatten();

    /// <summary>The rows the ids read: negative ids count from the back. Also the index of the lookup's closed form.</summary>
    internal static Tensor Rows(Tensor flatIds, long size) => where(flatIds.LessThan(0), flatIds.Plus(size), flatIds);
}

public sealed class SliceKernel : Kernel<SliceSpec>
{
    protected override Tensor Forward(SliceSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "data");
        return Selection.Window(x, SpecShapes.Checked(() => spec.Window(x.Sizes())));
    }
}

public sealed class SplitKernel : Kernel<SplitSpec>
{
    protected override Tensor Forward(SplitSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "input");
        return Selection.Window(x, SpecShapes.Checked(() => spec.Part(x.Sizes())));
    }
}

public sealed class ConcatKernel : Kernel<ConcatSpec>
{
    protected override Tensor Forward(ConcatSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var parts = inputs.Where(t => t is not null).Select(t => t!).ToList();
        SpecShapes.Checked(() => spec.InferShape(parts.Select(p => (long[]?)p.Sizes()).ToList()));
        if (parts.Select(p => p.dtype).Distinct().Count() > 1)
            throw new KernelException($"Concat: inputs have different element types ({string.Join(", ", parts.Select(p => p.dtype))})");
        return cat(parts, spec.ResolvedAxis((int)parts[0].dim()));
    }
}
