using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Expand: the input broadcast (NumPy rules, both ways) with a shape given at conversion time, so a 1 in the
/// shape keeps the input's dimension.
/// </summary>
public sealed record ExpandSpec(long[] Shape) : OpSpec
{
    public override string OpType => "Expand";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => OutputShape(Input(inputs, 0, "input"));

    public long[] OutputShape(IReadOnlyList<long> input) => ShapeMath.Broadcast(input, Shape);
}

public sealed class ExpandMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Expand";
    public IReadOnlyList<int> SinceVersions { get; } = [8, 13];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        HostTensor shape = node.StaticInput(1) ?? throw node.Fail("input 'shape' is required");
        if (shape.Rank != 1) throw node.Fail($"input 'shape' must be 1-D, got {ShapeMath.Format(shape.Shape)}");
        node.Attributes.RejectUnknown();
        return new ExpandSpec(shape.ToInt64Array());
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (ExpandSpec)Map(node);
        var data = inputs[0] ?? throw node.Fail("input 'input' is required");
        try { return TensorIndexing.BroadcastTo(data, spec.OutputShape(data.Shape)); }
        catch (ShapeException e) { throw node.Fail(e.Message); }
    }
}
