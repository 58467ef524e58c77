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
/// Dropout. In inference form (opset 7 to 11 always; is_test = 1 before 7; training_mode false from 12) the identity.
/// In training form (is_test = 0, the default, before opset 7; training_mode true from 12, as
/// torch.onnx.export(training=TRAINING) writes it) a <see cref="DropoutSpec"/>: the trainer draws its masks from
/// --seed, one per step and node, and runs it as the identity wherever nothing is trained (run, eval).
/// </summary>
public sealed class DropoutMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Dropout";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 7, 10, 12, 13, 22];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        // The seed attribute is the runtime's; masks are drawn from --seed instead (docs/cli.md).
        if (node.SinceVersion >= 12) node.Attributes.Ignore("seed", "ratio");
        double ratio = node.SinceVersion >= 12
            ? node.StaticInput(1) is { } given ? given.Values.Length == 1 ? given.Values[0] : throw node.Fail("ratio must hold one value")
                : 0.5
            : node.Attributes.Float("ratio", 0.5f);
        bool training = node.SinceVersion < 7
            ? node.Attributes.Int("is_test", 0) == 0
            : node.SinceVersion >= 12 && node.StaticInput(2) is { } trainingMode && trainingMode.Values.Any(v => v != 0);
        node.Attributes.RejectUnknown();
        if (!training) return IdentitySpec.Instance;
        if (!(ratio >= 0 && ratio < 1)) throw node.Fail($"ratio {ratio} is outside [0, 1)");
        if (node.Operands[0] is not Operand.FromVertex)
            throw node.Fail("training-mode dropout of a parameter or a constant is not supported: it must read data");
        return new DropoutSpec(ratio);
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        Map(node);
        return inputs[0]!;
    }
}

/// <summary>
/// Training-mode dropout: y = x * mask / (1 - Ratio), with a mask of independent draws that keep an element with
/// probability 1 - Ratio (the ONNX specification's definition). The mask is an input the trainer supplies.
/// </summary>
public sealed record DropoutSpec(double Ratio) : OpSpec
{
    public override string OpType => "Dropout";
    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Input(inputs, 0, "data");
}
