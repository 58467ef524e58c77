using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Y = alpha * A' B' + beta * C, where A' and B' are optionally transposed. C broadcasts unidirectionally to
/// Y's shape [M, N] when <see cref="BroadcastC"/> (always from opset 7; Gemm-6 only with broadcast = 1),
/// otherwise it must have exactly that shape.
/// </summary>
public sealed record GemmSpec(double Alpha, double Beta, bool TransA, bool TransB, bool BroadcastC = true) : OpSpec
{
    public override string OpType => "Gemm";
}

public sealed class GemmMapping : IOperatorMapping
{
    public string OpType => "Gemm";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 7, 9, 11, 13];

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        // Gemm-6's legacy broadcast has no axis: C lines up with Y's trailing dimensions, which for a 2-D Y
        // is the same as unidirectional broadcasting.
        bool broadcastC = node.SinceVersion >= 7 || a.Int("broadcast", 0) != 0;
        var spec = new GemmSpec(a.Float("alpha", 1f), a.Float("beta", 1f), a.Int("transA", 0) != 0, a.Int("transB", 0) != 0, broadcastC);
        if (node.SinceVersion < 11 && !node.HasInput(2)) throw node.Fail("input C is required before opset 11");
        a.RejectUnknown();
        return spec;
    }
}
