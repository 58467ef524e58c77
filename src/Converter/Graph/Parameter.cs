using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Graph;

/// <summary>A trainable float initializer of the ONNX graph. Its stored form is what export writes back.</summary>
public sealed class Parameter(string name, HostTensor initial)
{
    public string Name { get; } = name;
    public HostTensor Initial { get; } = initial;
    public long[] Shape => Initial.Shape;

    /// <summary>Every place a vertex reads this parameter (directly or through a transform chain): one copy each.</summary>
    public List<Vertex> Readers { get; } = [];

    public override string ToString() => $"{Name} {Initial}";
}

/// <summary>
/// One parameter-only operation between a stored initializer and the vertex that reads it (a Reshape of a
/// weight, an Identity). The trainer applies it forward and maps the update back through it (docs/algorithms.md rule 4).
/// </summary>
public sealed record ParameterTransform(string NodeName, OpSpec Op, IReadOnlyList<Operand> OtherOperands);

/// <summary>A parameter as a vertex reads it: the stored initializer followed by zero or more transforms.</summary>
public sealed record ParameterView(Parameter Root, IReadOnlyList<ParameterTransform> Chain)
{
    public static ParameterView Direct(Parameter root) => new(root, []);
    public ParameterView Then(ParameterTransform transform) => new(Root, [.. Chain, transform]);

    /// <summary>The shape the reader sees: the stored shape passed through the transforms.</summary>
    public long[] Shape => Chain.Aggregate(Root.Shape, (shape, t) => t.Op.InferShape([shape, .. t.OtherOperands.Select(o => o.Shape)]));
}
