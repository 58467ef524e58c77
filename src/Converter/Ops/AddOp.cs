using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Elementwise A + B: biases and residual joins. From opset 7 with multidirectional (NumPy) broadcasting;
/// before that with the <see cref="LegacyBroadcast"/> rule of the node's `broadcast` and `axis` attributes.
/// </summary>
public sealed record AddSpec(LegacyBroadcast? Legacy) : OpSpec
{
    /// <summary>Add with NumPy broadcasting (opset 7 and later).</summary>
    public static readonly AddSpec Instance = new((LegacyBroadcast?)null);
    public override string OpType => "Add";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] a = Input(inputs, 0, "A"), b = Input(inputs, 1, "B");
        if (Legacy == null) return ShapeMath.Broadcast(a, b);
        Legacy.AlignedShape(a, b, out string? problem);
        return problem == null ? a
            : throw new ShapeException($"legacy broadcast of {ShapeMath.Format(a)} and {ShapeMath.Format(b)}: {problem}");
    }
}

/// <summary>A data vertex when an operand depends on the data; evaluated at conversion time when both are constant (shape
/// arithmetic).</summary>
public sealed class AddMapping : IOperatorMapping, IStaticEvaluation
{
    public string OpType => "Add";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 7, 13, 14];

    public OpSpec Map(NodeContext node)
    {
        var spec = node.SinceVersion < 7 ? new AddSpec(LegacyBroadcast.Read(node, hasAxis: true)) : AddSpec.Instance;
        node.Attributes.RejectUnknown();
        return spec;
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs) =>
        StaticArithmetic.Evaluate(node, inputs, Arithmetic.Add, ((AddSpec)Map(node)).Legacy);
}
