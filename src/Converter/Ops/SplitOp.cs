using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// The first output of Split along <see cref="Axis"/>. The parts are <see cref="Split"/> when given; otherwise
/// <see cref="Outputs"/> equal parts (which must divide the axis), or, with opset 18's num_outputs
/// (<see cref="LastMayBeSmaller"/>), parts of ceil(dim / n) with a smaller last one. The graph builder maps a
/// node's first output only, so a model that reads a later output is rejected when it is read.
/// </summary>
public sealed record SplitSpec(long Axis, long[]? Split, int Outputs, bool LastMayBeSmaller) : OpSpec
{
    public override string OpType => "Split";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => FirstOutput(Input(inputs, 0, "input")).Shape;

    public int ResolvedAxis(int rank) => ShapeMath.Axis(Axis, rank, "Split axis");

    public long[] Sizes(long dim)
    {
        if (Split != null)
        {
            if (Split.Length != Outputs) throw new ShapeException($"Split: 'split' {ShapeMath.Format(Split)} has {Split.Length} parts for {Outputs} outputs");
            if (Split.Any(s => s < 0) || Split.Sum() != dim) throw new ShapeException($"Split: parts {ShapeMath.Format(Split)} do not add up to the axis size {dim}");
            return Split;
        }
        if (LastMayBeSmaller)
        {
            long chunk = (dim + Outputs - 1) / Outputs;
            return Enumerable.Range(0, Outputs).Select(k => Math.Clamp(dim - k * chunk, 0, chunk)).ToArray();
        }
        if (dim % Outputs != 0) throw new ShapeException($"Split: an axis of size {dim} does not split into {Outputs} equal parts");
        return Enumerable.Repeat(dim / Outputs, Outputs).ToArray();
    }

    /// <summary>The first part as a window into the input.</summary>
    public StridedWindow FirstOutput(IReadOnlyList<long> shape)
    {
        int axis = ResolvedAxis(shape.Count);
        long[] size = shape.ToArray();
        size[axis] = Sizes(shape[axis])[0];
        return new StridedWindow(new long[shape.Count], Enumerable.Repeat(1L, shape.Count).ToArray(), size);
    }
}

public sealed class SplitMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Split";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 2, 11, 13, 18];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        long axis = a.Int("axis", 0);
        if (axis < 0 && node.SinceVersion < 11) throw node.Fail("negative 'axis' needs opset 11");
        long[]? split = node.SinceVersion >= 13 ? node.StaticInput(1)?.ToInt64Array() : a.Ints("split");
        int outputs = node.Node.Output.Count;
        bool lastMayBeSmaller = false;
        if (node.SinceVersion >= 18)
        {
            bool hasNumOutputs = a.Has("num_outputs");
            if (hasNumOutputs == (split != null)) throw node.Fail("exactly one of input 'split' and attribute 'num_outputs' must be given");
            if (hasNumOutputs)
            {
                long n = a.Int("num_outputs", 0);
                if (n != outputs) throw node.Fail($"num_outputs = {n}, but the node has {outputs} outputs");
                lastMayBeSmaller = true;
            }
        }
        a.RejectUnknown();
        return new SplitSpec(axis, split, outputs, lastMayBeSmaller);
    }

    /// <summary>
    /// The first output only: <see cref="IStaticEvaluation"/> returns one tensor, so a later output of a static
    /// Split is reported as unsupported when something reads it.
    /// </summary>
    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (SplitSpec)Map(node);
        var data = inputs[0] ?? throw node.Fail("input 'input' is required");
        try { return TensorIndexing.Window(data, spec.FirstOutput(data.Shape)); }
        catch (ShapeException e) { throw node.Fail(e.Message); }
    }
}
