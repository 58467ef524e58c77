using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

public enum Activation { Relu, Sigmoid, Tanh }

/// <summary>An elementwise activation without attributes.</summary>
public sealed record ActivationSpec(Activation Kind) : OpSpec
{
    public override string OpType => Kind.ToString();
    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Input(inputs, 0, "X");
}

public sealed class ActivationMapping(Activation kind, params int[] sinceVersions) : IOperatorMapping
{
    public string OpType => kind.ToString();
    public IReadOnlyList<int> SinceVersions { get; } = sinceVersions;

    public OpSpec Map(NodeContext node)
    {
        node.Attributes.RejectUnknown();
        return new ActivationSpec(kind);
    }
}
