using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>Matrix product with NumPy semantics (batched, broadcasting, 1-D operands promoted).</summary>
public sealed record MatMulSpec : OpSpec
{
    public static readonly MatMulSpec Instance = new();
    public override string OpType => "MatMul";
    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => ShapeMath.MatMul(Input(inputs, 0, "A"), Input(inputs, 1, "B"));
}

public sealed class MatMulMapping : IOperatorMapping
{
    public string OpType => "MatMul";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 9, 13];

    public OpSpec Map(NodeContext node)
    {
        node.Attributes.RejectUnknown();
        return MatMulSpec.Instance;
    }
}
