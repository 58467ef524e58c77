using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Inference-form batch normalization: y = scale * (x - mean) / sqrt(var + epsilon) + B. With
/// <see cref="Spatial"/> (the only form from opset 9) the four inputs hold one value per channel (axis 1);
/// without it (spatial = 0 before opset 9) one value per activation, shaped like x without its batch axis.
/// The running statistics are frozen inputs; scale and B are trainable (docs/algorithms.md rule 5).
/// </summary>
public sealed record BatchNormalizationSpec(double Epsilon, bool Spatial = true) : OpSpec
{
    public override string OpType => "BatchNormalization";
    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Input(inputs, 0, "X");
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
        // BatchNormalization-6 runs in training mode (batch statistics) unless is_test is set.
        if (node.SinceVersion < 7 && a.Int("is_test", 0) == 0)
            throw node.Fail("is_test = 0 (training mode, the default before opset 7) is not supported: batch normalization runs in inference form with frozen statistics; set is_test = 1");
        bool spatial = node.SinceVersion >= 9 || a.Int("spatial", 1) != 0;
        if (node.SinceVersion >= 14 && a.Int("training_mode", 0) != 0)
            throw node.Fail("training_mode = 1 is not supported: batch normalization runs in inference form with frozen statistics");
        for (int i = 0; i < 5; i++)
            if (!node.HasInput(i)) throw node.Fail($"input {i} is required");
        var spec = new BatchNormalizationSpec(a.Float("epsilon", 1e-5f), spatial);
        a.RejectUnknown();
        return spec;
    }
}
