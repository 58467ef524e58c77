using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Output <see cref="Index"/> of Split along <see cref="Axis"/>. The parts are <see cref="Split"/> when given;
/// otherwise <see cref="Outputs"/> equal parts (which must divide the axis), or, with opset 18's num_outputs
/// (<see cref="LastMayBeSmaller"/>), parts of ceil(dim / n) with a smaller last one. Each output read is its own
/// vertex (or parameter view, or constant) carrying this spec with its index.
/// </summary>
public sealed record SplitSpec(long Axis, long[]? Split, int Outputs, bool LastMayBeSmaller, int Index = 0) : OpSpec
{
    public override string OpType => "Split";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Part(Input(inputs, 0, "input")).Shape;

    public int ResolvedAxis(int rank) => ShapeMath.Axis(Axis, rank, "Split axis");

    public long[] Sizes(long dim)
    {
        if (Split != null)
        {
            if (Split.Length != Outputs) throw new ShapeException($"Split: 'split' {ShapeMath.Format(Split)} has {Split.Length} parts " +
                $"for {Outputs} outputs");
            if (Split.Any(s => s < 0)
                || Split.Sum() != dim) throw new ShapeException($"Split: parts {ShapeMath.Format(Split)} do not add up to the axis size " +
                $"{dim}");
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

    /// <summary>Part <see cref="Index"/> as a window into the input: it starts where the parts before it end.</summary>
    public StridedWindow Part(IReadOnlyList<long> shape)
    {
        int axis = ResolvedAxis(shape.Count);
        long[] sizes = Sizes(shape[axis]);
        if (Index < 0 || Index >= sizes.Length) throw new ShapeException($"Split: output {Index} does not exist ({sizes.Length} parts)");
        long[] start = new long[shape.Count];
        start[axis] = sizes.Take(Index).Sum();
        long[] size = shape.ToArray();
        size[axis] = sizes[Index];
        return new StridedWindow(start, Enumerable.Repeat(1L, shape.Count).ToArray(), size);
    }
}

/// <summary>
/// Split, every output: a window of the input per output read, on data (a vertex each), on one initializer (a
/// parameter view each, so the updates of all parts land in the stored tensor) or on a constant (folded).
/// </summary>
public sealed class SplitMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation, IGraphExpansion
{
    public string OpType => "Split";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 2, 11, 13, 18];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    /// <summary><see cref="IStaticEvaluation"/> returns one tensor, so a constant Split is folded here, output by output.</summary>
    public bool ExpandsConstants => true;

    public string Form => "one vertex per output";

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

    public IReadOnlyList<Operand> Expand(NodeContext node, VertexSink vertices)
    {
        var spec = (SplitSpec)Map(node);
        var input = node.Operands[0];
        var others = node.Operands.Skip(1).ToList();
        var outputs = new Operand[node.Node.Output.Count];
        for (int i = 0; i < outputs.Length; i++)
        {
            string name = node.Node.Output[i];
            var part = spec with { Index = i };
            outputs[i] = name == "" ? Operand.Absent.Instance : input switch
            {
                Operand.FromConstant c => new Operand.FromConstant(Fold(node, part, c.Value)),
                Operand.FromParameter p => ParameterPart(node, p, part, others),
                _ => new Operand.FromVertex(vertices.Add(name, part, node.Operands)),
            };
        }
        return outputs;
    }

    /// <summary>The first output, for evaluators that fold a node into one tensor.</summary>
    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs) =>
        Fold(node, (SplitSpec)Map(node), inputs[0] ?? throw node.Fail("input 'input' is required"));

    private static HostTensor Fold(NodeContext node, SplitSpec part, HostTensor data)
    {
        try { return TensorIndexing.Window(data, part.Part(data.Shape)); }
        catch (ShapeException e) { throw node.Fail(e.Message); }
    }

    /// <summary>A part of one initializer: the reader sees the window, its update is scattered back (docs/algorithms.md rule 4).</summary>
    private static Operand ParameterPart(NodeContext node, Operand.FromParameter source, SplitSpec part, List<Operand> others)
    {
        var transform = new ParameterTransform(node.Node.Name, part, others);
        try { part.InferShape([source.Shape, .. others.Select(o => o.Shape)]); }
        catch (ShapeException e) { throw node.Fail(e.Message); }
        return new Operand.FromParameter(source.View.Then(transform));
    }
}
