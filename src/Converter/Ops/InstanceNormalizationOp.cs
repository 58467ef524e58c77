using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// y = scale * (x - mean) / sqrt(var + epsilon) + B with mean and (biased) variance per sample and channel,
/// over the spatial axes of x [N, C, D1, ...]; scale and B hold one trainable value per channel.
/// </summary>
public sealed record InstanceNormalizationSpec(double Epsilon) : OpSpec
{
    public override string OpType => "InstanceNormalization";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "input");
        if (x.Length < 3) throw new ShapeException($"InstanceNormalization needs [N, C, D1, ...], got {ShapeMath.Format(x)}");
        foreach (var (index, name) in new[] { (1, "scale"), (2, "B") })
        {
            long[] channel = Input(inputs, index, name);
            if (channel.Length != 1 || channel[0] != x[1])
                throw new ShapeException($"InstanceNormalization {name} {ShapeMath.Format(channel)} must hold one value per channel " +
                    $"({x[1]})");
        }
        return x;
    }
}

/// <summary>InstanceNormalization 1, 6, 22 (6 dropped consumed_inputs, 22 added element types).</summary>
public sealed class InstanceNormalizationMapping : IOperatorMapping
{
    public string OpType => "InstanceNormalization";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 22];

    public OpSpec Map(NodeContext node)
    {
        var spec = new InstanceNormalizationSpec(node.Attributes.Float("epsilon", 1e-5f));
        node.Attributes.RejectUnknown();
        return spec;
    }
}
