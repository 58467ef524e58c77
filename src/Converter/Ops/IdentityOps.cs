using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

public sealed class IdentityMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Identity";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 13, 14, 16, 19, 21];

    public OpSpec Map(NodeContext node)
    {
        node.Attributes.RejectUnknown();
        return IdentitySpec.Instance;
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs) => inputs[0]!;
}

/// <summary>
/// Dropout in inference form: the identity. The tool fine-tunes the deterministic network that ONNX Runtime
/// serves, so a model that asks for training-mode dropout is rejected rather than silently changed.
/// </summary>
public sealed class DropoutMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Dropout";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 7, 10, 12, 13, 22];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        // The ratio and seed only matter in training mode.
        node.Attributes.Ignore("ratio");
        if (node.SinceVersion >= 12) node.Attributes.Ignore("seed");
        // Dropout-6 drops (training mode) unless is_test is set; from opset 7 the attribute is gone and
        // inference is the identity.
        if (node.SinceVersion < 7 && node.Attributes.Int("is_test", 0) == 0)
            throw node.Fail("is_test = 0 (training mode, the default before opset 7) is not supported: dropout runs in inference form (identity); set is_test = 1");
        if (node.SinceVersion >= 12 && node.StaticInput(2) is { } trainingMode && trainingMode.Values.Any(v => v != 0))
            throw node.Fail("training_mode = true is not supported: dropout runs in inference form (identity)");
        node.Attributes.RejectUnknown();
        return IdentitySpec.Instance;
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        Map(node);
        return inputs[0]!;
    }
}
