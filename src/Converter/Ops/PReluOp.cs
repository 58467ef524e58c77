using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>y = x for x &gt;= 0, slope * x otherwise; the slope broadcasts to X's shape (never the other way).</summary>
public sealed record PReluSpec : OpSpec
{
    public static readonly PReluSpec Instance = new();
    public override string OpType => "PRelu";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "X"), slope = Input(inputs, 1, "slope");
        if (!ElementwiseShapes.BroadcastsTo(slope, x))
            throw new ShapeException($"slope {ShapeMath.Format(slope)} does not broadcast to X {ShapeMath.Format(x)}");
        return x;
    }
}

/// <summary>
/// PRelu: a slope initializer is a trainable parameter. From opset 7 the slope broadcasts unidirectionally to X.
/// PRelu-6 asks for a slope of one element or of X's shape; PyTorch's opset-6 exports store it as [C, 1, ...],
/// which only the later rule explains, so the later rule (which contains the opset-6 one) serves both.
/// </summary>
public sealed class PReluMapping : IOperatorMapping
{
    public string OpType => "PRelu";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 7, 9, 16];

    public OpSpec Map(NodeContext node)
    {
        node.Attributes.RejectUnknown();
        return PReluSpec.Instance;
    }
}
