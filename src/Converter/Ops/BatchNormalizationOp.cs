using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Inference-form batch normalization over axis 1: y = scale * (x - mean) / sqrt(var + epsilon) + B.
/// The running statistics are frozen inputs; scale and B are trainable (zil.md rule 5).
/// </summary>
public sealed record BatchNormalizationSpec(double Epsilon) : OpSpec
{
    public override string OpType => "BatchNormalization";
}

public sealed class BatchNormalizationMapping : IOperatorMapping
{
    public string OpType => "BatchNormalization";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 7, 9, 14, 15];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex >= 3 ? InputRole.Frozen : InputRole.Differentiable;

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        // momentum only updates running statistics in training mode, which this form never does.
        a.Ignore("momentum");
        if (node.SinceVersion < 9 && a.Int("spatial", 1) != 1)
            throw node.Fail("spatial = 0 (per-activation statistics) is not supported");
        if (node.SinceVersion >= 14 && a.Int("training_mode", 0) != 0)
            throw node.Fail("training_mode = 1 is not supported: batch normalization runs in inference form with frozen statistics");
        for (int i = 0; i < 5; i++)
            if (!node.HasInput(i)) throw node.Fail($"input {i} is required");
        var spec = new BatchNormalizationSpec(a.Float("epsilon", 1e-5f));
        a.RejectUnknown();
        return spec;
    }
}
