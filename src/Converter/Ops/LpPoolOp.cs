using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// LpPool: y = (sum over the window of |x|^p)^(1/p), padded cells counting as zeros; 1-D, 2-D or 3-D. ceil_mode and
/// dilations exist from LpPool-18 on.
/// </summary>
public sealed record LpPoolSpec(long P, long[] KernelShape, long[] Strides, long[] Dilations, SpatialPadding Padding,
    bool CeilMode) : OpSpec, IPoolingWindow
{
    public override string OpType => "LpPool";

    public int SpatialRank => KernelShape.Length;

    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => this.OutputShape(Input(inputs, 0, "X"));
}

public sealed class LpPoolMapping : IOperatorMapping
{
    public string OpType => "LpPool";

    // LpPool-1 had a float p; from 2 on p is an integer. Opset 6 is the oldest mapped, so version 1 never applies.
    public IReadOnlyList<int> SinceVersions { get; } = [2, 11, 18, 22];

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        long[] kernel = a.Ints("kernel_shape") ?? throw node.Fail("'kernel_shape' is required");
        int spatialRank = WindowAttributes.SpatialRank(node, kernel, shapeSourceInput: 0);
        if (kernel.Any(k => k < 1)) throw node.Fail("'kernel_shape' values must be positive");
        long p = a.Int("p", 2);
        if (p < 1) throw node.Fail($"'p' = {p} is not supported (it must be a positive integer)");
        bool since18 = node.SinceVersion >= 18;
        var spec = new LpPoolSpec(p, kernel,
            WindowAttributes.PerAxis(node, "strides", spatialRank),
            since18 ? WindowAttributes.PerAxis(node, "dilations", spatialRank) : Enumerable.Repeat(1L, spatialRank).ToArray(),
            SpatialPadding.Read(node, spatialRank),
            since18 && a.Int("ceil_mode", 0) != 0);
        spec.Padding.RejectDilatedSame(node, spec.Dilations);
        a.RejectUnknown();
        return spec;
    }
}
