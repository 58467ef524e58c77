using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Batch normalization: y = scale * (x - mean) / sqrt(var + epsilon) + B. With <see cref="Spatial"/> (the only form
/// from opset 9) the four inputs hold one value per channel (axis 1); without it (spatial = 0 before opset 9) one
/// value per activation, shaped like x without its batch axis. In inference form (<see cref="Batch"/> null) mean and
/// var are the frozen running statistics (docs/algorithms.md rule 5). In training form they are the batch's own mean
/// and biased variance, so the vertex's prediction couples the samples of the batch; the running statistics are then
/// only updated, after each step, for the export. Scale and B are trainable either way.
/// </summary>
public sealed record BatchNormalizationSpec(double Epsilon, bool Spatial = true, BatchStatistics? Batch = null) : OpSpec
{
    public override string OpType => "BatchNormalization";
    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Input(inputs, 0, "X");
}

/// <summary>
/// The training form's bookkeeping: the initializers holding the running statistics and ONNX's momentum, by which
/// running = running * Momentum + batch statistic * (1 - Momentum) (PyTorch's momentum m is written as 1 - m), with
/// the unbiased variance for the running variance, as PyTorch and the ONNX specification update it.
/// </summary>
public sealed record BatchStatistics(double Momentum, string RunningMean, string RunningVar);

public sealed class BatchNormalizationMapping : IOperatorMapping
{
    public string OpType => "BatchNormalization";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 7, 9, 14, 15];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex >= 3 ? InputRole.Frozen : InputRole.Differentiable;

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        bool spatial = node.SinceVersion >= 9 || a.Int("spatial", 1) != 0;
        for (int i = 0; i < 5; i++)
            if (!node.HasInput(i)) throw node.Fail($"input {i} is required");
        double momentum = a.Float("momentum", 0.9f);
        bool training = GraphSaysTraining(node);
        var spec = new BatchNormalizationSpec(a.Float("epsilon", 1e-5f), spatial,
            (node.Options.BatchNorm ?? (training ? BatchNormStatistics.Batch : BatchNormStatistics.Frozen)) == BatchNormStatistics.Batch
                ? new BatchStatistics(momentum, node.Node.Input[3], node.Node.Input[4])
                : null);
        a.RejectUnknown();
        return spec;
    }

    /// <summary>
    /// Whether the node asks for its training form: is_test = 0 (the default) before opset 7; from 7 to 13, the
    /// running-statistic outputs (as torch.onnx.export(training=TRAINING) writes them and ONNX Runtime reads them);
    /// from 14, training_mode = 1.
    /// </summary>
    private static bool GraphSaysTraining(NodeContext node)
    {
        if (node.SinceVersion < 7) return node.Attributes.Int("is_test", 0) == 0;
        if (node.SinceVersion < 14) return node.Node.Output.Skip(1).Any(o => o != "");
        return node.Attributes.Int("training_mode", 0) != 0;
    }
}
