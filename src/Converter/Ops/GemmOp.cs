using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>Y = alpha * A' B' + beta * C, where A' and B' are optionally transposed; C broadcasts to Y.</summary>
public sealed record GemmSpec(double Alpha, double Beta, bool TransA, bool TransB) : OpSpec
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
        var spec = new GemmSpec(a.Float("alpha", 1f), a.Float("beta", 1f), a.Int("transA", 0) != 0, a.Int("transB", 0) != 0);
        if (node.SinceVersion < 11 && !node.HasInput(2)) throw node.Fail("input C is required before opset 11");
        a.RejectUnknown();
        return spec;
    }
}
