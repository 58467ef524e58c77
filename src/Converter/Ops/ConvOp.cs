using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>2-D convolution: X [N,C,H,W], W [M,C/group,kH,kW], optional B [M]. Kernel size comes from W.</summary>
public sealed record ConvSpec(long[] Strides, long[] Dilations, long Group, SpatialPadding Padding) : OpSpec
{
    public override string OpType => "Conv";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "X"), w = Input(inputs, 1, "W");
        if (x.Length != 4 || w.Length != 4)
            throw new ShapeException($"Conv needs a 4-D input and weight, got X {ShapeMath.Format(x)} and W {ShapeMath.Format(w)}");
        if (x[1] != w[1] * Group || w[0] % Group != 0)
            throw new ShapeException($"Conv: X {ShapeMath.Format(x)} has {x[1]} channels, W {ShapeMath.Format(w)} with group {Group} expects {w[1] * Group}");
        long[] pads = Padding.Resolve(x[2..], w[2..], Strides, Dilations);
        var output = new long[] { x[0], w[0], 0, 0 };
        for (int i = 0; i < 2; i++)
        {
            long span = x[2 + i] + pads[i] + pads[i + 2] - ((w[2 + i] - 1) * Dilations[i] + 1);
            if (span < 0) throw new ShapeException($"Conv: the kernel {ShapeMath.Format(w[2..])} is larger than the padded input {ShapeMath.Format(x[2..])}");
            output[2 + i] = span / Strides[i] + 1;
        }
        return output;
    }
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
