using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// 1-D, 2-D or 3-D convolution: X [N, C, spatial...], W [M, C/group, k...], optional B [M]. Kernel size comes from W;
/// the spatial rank is the length of <see cref="Strides"/>.
/// </summary>
public sealed record ConvSpec(long[] Strides, long[] Dilations, long Group, SpatialPadding Padding) : OpSpec
{
    public override string OpType => "Conv";

    public int SpatialRank => Strides.Length;

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "X"), w = Input(inputs, 1, "W");
        WindowAttributes.CheckRank(OpType, "X", x, SpatialRank);
        WindowAttributes.CheckRank(OpType, "W", w, SpatialRank);
        if (x[1] != w[1] * Group || w[0] % Group != 0)
            throw new ShapeException($"Conv: X {ShapeMath.Format(x)} has {x[1]} channels, W {ShapeMath.Format(w)} with group {Group} " +
                $"expects {w[1] * Group}");
        if (inputs.Count > 2 && inputs[2] is { } b && (b.Length != 1 || b[0] != w[0]))
            throw new ShapeException($"Conv: bias {ShapeMath.Format(b)} does not match {w[0]} output channels");
        long[] pads = Padding.Resolve(x[2..], w[2..], Strides, Dilations);
        var output = new long[x.Length];
        output[0] = x[0];
        output[1] = w[0];
        for (int i = 0; i < SpatialRank; i++)
        {
            long span = x[2 + i] + pads[i] + pads[i + SpatialRank] - ((w[2 + i] - 1) * Dilations[i] + 1);
            if (span < 0) throw new ShapeException($"Conv: the kernel {ShapeMath.Format(w[2..])} is larger than the padded input " +
                $"{ShapeMath.Format(x[2..])}");
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
        var a = node.Attributes;
        long[]? kernelShape = a.Ints("kernel_shape");
        int spatialRank = WindowAttributes.SpatialRank(node, kernelShape, shapeSourceInput: 1);
        KernelShapeMatchesWeight(node, kernelShape, node.InputShape(1));
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

    /// <summary>kernel_shape is redundant with W's shape; a model where they disagree is malformed.</summary>
    internal static void KernelShapeMatchesWeight(NodeContext node, long[]? kernelShape, long[]? weight)
    {
        if (kernelShape == null || weight == null) return;
        if (weight.Length != kernelShape.Length + 2 || !weight[2..].SequenceEqual(kernelShape))
            throw node.Fail($"'kernel_shape' {ShapeMath.Format(kernelShape)} does not match W {ShapeMath.Format(weight)}");
    }
}
