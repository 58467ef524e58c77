using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// y = x for x &gt;= 0, slope * x otherwise, the slope broadcast unidirectionally to X's shape.
/// <see cref="ChannelSlope"/> (before opset 7): a 1-D slope with one value per channel applies along axis 1.
/// </summary>
public sealed record PReluSpec(bool ChannelSlope) : OpSpec
{
    public override string OpType => "PRelu";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "X"), slope = Input(inputs, 1, "slope");
        if (!ElementwiseShapes.BroadcastsTo(AlignedSlope(x, slope), x))
            throw new ShapeException($"slope {ShapeMath.Format(slope)} does not broadcast to X {ShapeMath.Format(x)}");
        return x;
    }

    /// <summary>The slope's shape as it broadcasts: [C] becomes [C, 1, ..., 1] under the opset-6 channel rule.</summary>
    public long[] AlignedSlope(IReadOnlyList<long> x, IReadOnlyList<long> slope) =>
        ChannelSlope && slope.Count == 1 && x.Count >= 2 && slope[0] == x[1] && slope[0] != 1
            ? [slope[0], .. Enumerable.Repeat(1L, x.Count - 2)]
            : [.. slope];
}

/// <summary>
/// PRelu: a slope initializer is a trainable parameter. From opset 7 the slope broadcasts unidirectionally to X.
/// PRelu-6 shares a one-element slope across channels and otherwise reads one value per channel; PyTorch's
/// opset-6 exports store that as [C], which the channel rule places on axis 1. Other slopes follow the later rule.
/// </summary>
public sealed class PReluMapping : IOperatorMapping
{
    public string OpType => "PRelu";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 7, 9, 16];

    public OpSpec Map(NodeContext node)
    {
        node.Attributes.RejectUnknown();
        return new PReluSpec(ChannelSlope: node.SinceVersion < 7);
    }
}
