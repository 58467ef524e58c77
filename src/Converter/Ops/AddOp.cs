using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>Elementwise A + B with multidirectional (NumPy) broadcasting: biases and residual joins.</summary>
public sealed record AddSpec : OpSpec
{
    public static readonly AddSpec Instance = new();
    public override string OpType => "Add";
}

public sealed class AddMapping : IOperatorMapping
{
    public string OpType => "Add";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 7, 13, 14];

    public OpSpec Map(NodeContext node)
    {
        node.Attributes.RejectUnknown();
        return AddSpec.Instance;
    }
}
