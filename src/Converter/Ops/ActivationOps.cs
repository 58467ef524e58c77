using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

public enum Activation { Relu, Sigmoid, Tanh }

/// <summary>An elementwise activation without attributes.</summary>
public sealed record ActivationSpec(Activation Kind) : OpSpec
{
    public override string OpType => Kind.ToString();
    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Input(inputs, 0, "X");
}

public sealed class ActivationMapping(Activation kind, params int[] sinceVersions) : IOperatorMapping, IOperatorFamily
{
    public static IEnumerable<IOperatorMapping> Members =>
    [
        new ActivationMapping(Activation.Relu, 1, 6, 13, 14),
        new ActivationMapping(Activation.Sigmoid, 1, 6, 13),
        new ActivationMapping(Activation.Tanh, 1, 6, 13),
    ];

    public string OpType => kind.ToString();
    public IReadOnlyList<int> SinceVersions { get; } = sinceVersions;

    public OpSpec Map(NodeContext node)
    {
        node.Attributes.RejectUnknown();
        return new ActivationSpec(kind);
    }
}
