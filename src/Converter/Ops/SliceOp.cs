using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Slice: along each listed axis, elements from starts[i] towards ends[i] (exclusive), steps[i] apart. Negative
/// starts/ends count from the back; both are then clamped as the spec says ([0, dim] for positive steps,
/// [0, dim-1] and [-1, dim-1] for negative ones), so INT64 max/min work as "to the end".
/// </summary>
public sealed record SliceSpec(long[] Starts, long[] Ends, long[]? Axes, long[]? Steps) : OpSpec
{
    public override string OpType => "Slice";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Window(Input(inputs, 0, "data")).Shape;

    public StridedWindow Window(IReadOnlyList<long> shape)
    {
        int rank = shape.Count, n = Starts.Length;
        if (Ends.Length != n) throw new ShapeException($"Slice: {n} starts but {Ends.Length} ends");
        long[] axes = Axes ?? Enumerable.Range(0, n).Select(k => (long)k).ToArray();
        long[] steps = Steps ?? Enumerable.Repeat(1L, n).ToArray();
        if (axes.Length != n
            || steps.Length != n) throw new ShapeException($"Slice: starts, ends, axes and steps must have the same length ({n}, " +
            $"{Ends.Length}, {axes.Length}, {steps.Length})");

        var start = new long[rank];
        var step = Enumerable.Repeat(1L, rank).ToArray();
        var size = shape.ToArray();
        var seen = new HashSet<int>();
        for (int i = 0; i < n; i++)
        {
            int axis = ShapeMath.Axis(axes[i], rank, "Slice axis");
            if (!seen.Add(axis)) throw new ShapeException($"Slice axes {ShapeMath.Format(axes)} repeat axis {axis}");
            if (steps[i] == 0) throw new ShapeException("Slice step 0 is not allowed");
            (start[axis], size[axis]) = Range(Starts[i], Ends[i], steps[i], shape[axis]);
            step[axis] = steps[i];
        }
        return new StridedWindow(start, step, size);
    }

    /// <summary>The first element and the element count of one axis's slice.</summary>
    private static (long Start, long Count) Range(long start, long end, long step, long dim)
    {
        if (start < 0) start += dim;
        if (end < 0) end += dim;
        if (step > 0)
        {
            start = Math.Clamp(start, 0, dim);
            end = Math.Clamp(end, 0, dim);
            return (start, end > start ? (end - start + step - 1) / step : 0);
        }
        if (dim == 0) return (0, 0);
        start = Math.Clamp(start, 0, dim - 1);
        end = Math.Clamp(end, -1, dim - 1);
        return (start, start > end ? (start - end - step - 1) / -step : 0);
    }
}

public sealed class SliceMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Slice";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 10, 11, 13];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        SliceSpec spec;
        if (node.SinceVersion < 10)
        {
            var a = node.Attributes;
            spec = new SliceSpec(a.Ints("starts") ?? throw node.Fail("attribute 'starts' is required"),
                a.Ints("ends") ?? throw node.Fail("attribute 'ends' is required"), a.Ints("axes"), null);
        }
        else
            spec = new SliceSpec(
                node.StaticInput(1)?.ToInt64Array() ?? throw node.Fail("input 'starts' is required"),
                node.StaticInput(2)?.ToInt64Array() ?? throw node.Fail("input 'ends' is required"),
                node.StaticInput(3)?.ToInt64Array(), node.StaticInput(4)?.ToInt64Array());
        if (node.SinceVersion < 11 && spec.Axes?.Any(a => a < 0) == true) throw node.Fail("negative 'axes' need opset 11");
        node.Attributes.RejectUnknown();
        return spec;
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (SliceSpec)Map(node);
        var data = inputs[0] ?? throw node.Fail("input 'data' is required");
        try { return TensorIndexing.Window(data, spec.Window(data.Shape)); }
        catch (ShapeException e) { throw node.Fail(e.Message); }
    }
}
