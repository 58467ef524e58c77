using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>2-D convolution: X [N,C,H,W], W [M,C/group,kH,kW], optional B [M]. Kernel size comes from W.</summary>
public sealed record ConvSpec(long[] Strides, long[] Dilations, long Group, SpatialPadding Padding) : OpSpec
{
    public override string OpType => "Conv";
}

public sealed class ConvMapping : IOperatorMapping
{
    public string OpType => "Conv";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 11, 22];

    public OpSpec Map(NodeContext node)
    {
        const int spatialRank = 2;
        var a = node.Attributes;
        long[]? kernelShape = a.Ints("kernel_shape");
        if (kernelShape != null && kernelShape.Length != spatialRank)
            throw node.Fail($"only 2-D convolution is supported here (kernel_shape has {kernelShape.Length} axes)");
        var spec = new ConvSpec(
            WindowAttributes.PerAxis(node, "strides", spatialRank),
            WindowAttributes.PerAxis(node, "dilations", spatialRank),
            a.Int("group", 1),
            SpatialPadding.Read(node, spatialRank));
        if (spec.Group < 1) throw node.Fail("'group' must be positive");
        spec.Padding.RejectDilatedSame(node, spec.Dilations);
        a.RejectUnknown();
        return spec;
    }
}
