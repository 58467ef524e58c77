using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

public enum PoolKind { Max, Average }

/// <summary>
/// 1-D, 2-D or 3-D MaxPool or AveragePool (the spatial rank is the length of <see cref="KernelShape"/>). For
/// AveragePool, <see cref="CountIncludePad"/> decides whether padded cells count in the divisor; cells beyond the
/// padded input that ceil_mode adds never count.
/// </summary>
public sealed record PoolSpec(PoolKind Kind, long[] KernelShape, long[] Strides, long[] Dilations, SpatialPadding Padding,
    bool CeilMode, bool CountIncludePad) : OpSpec, IPoolingWindow
{
    public override string OpType => Kind == PoolKind.Max ? "MaxPool" : "AveragePool";

    public int SpatialRank => KernelShape.Length;

    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => this.OutputShape(Input(inputs, 0, "X"));
}

public sealed class PoolMapping(PoolKind kind) : IOperatorMapping, IGraphExpansion, IOperatorFamily
{
    public static IEnumerable<IOperatorMapping> Members => Enum.GetValues<PoolKind>().Select(k => new PoolMapping(k));

    public string Form => "one vertex per output";

    /// <summary>
    /// Y, and for MaxPool the optional Indices output: a vertex of its own holding each maximum's position in the
    /// flattened input (integers: read by a model, never trained through).
    /// </summary>
    public IReadOnlyList<Operand> Expand(NodeContext node, VertexSink vertices)
    {
        bool columnMajor = kind == PoolKind.Max && node.SinceVersion >= 8 && node.Attributes.Int("storage_order", 0) == 1;
        var spec = (PoolSpec)Map(node);
        var outputs = new Operand[node.Node.Output.Count];
        for (int i = 0; i < outputs.Length; i++)
        {
            string name = node.Node.Output[i];
            outputs[i] = name == "" ? Operand.Absent.Instance : i switch
            {
                0 => new Operand.FromVertex(vertices.Add(name, spec, node.Operands)),
                1 when kind == PoolKind.Max => new Operand.FromVertex(vertices.Add(name, new MaxPoolIndicesSpec(spec, columnMajor),
                    node.Operands)),
                _ => throw node.Fail($"output {i} does not exist"),
            };
        }
        return outputs;
    }

    public string OpType => kind == PoolKind.Max ? "MaxPool" : "AveragePool";

    public IReadOnlyList<int> SinceVersions { get; } = kind == PoolKind.Max ? [1, 8, 10, 11, 12, 22] : [1, 7, 10, 11, 19, 22];

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        long[] kernel = a.Ints("kernel_shape") ?? throw node.Fail("'kernel_shape' is required");
        int spatialRank = WindowAttributes.SpatialRank(node, kernel, shapeSourceInput: 0);
        if (kernel.Any(k => k < 1)) throw node.Fail("'kernel_shape' values must be positive");
        // Attributes are read only from the version that introduced them, so an older node that carries one
        // is rejected as unknown instead of being given a meaning its opset did not have.
        // storage_order (MaxPool-8) only changes how the optional Indices output is laid out (see Expand).
        if (kind == PoolKind.Max && node.SinceVersion >= 8) a.Ignore("storage_order");
        long[] noDilation = Enumerable.Repeat(1L, spatialRank).ToArray();
        int dilationsSince = kind == PoolKind.Max ? 10 : 19;
        var spec = new PoolSpec(kind, kernel,
            WindowAttributes.PerAxis(node, "strides", spatialRank),
            node.SinceVersion >= dilationsSince ? WindowAttributes.PerAxis(node, "dilations", spatialRank) : noDilation,
            SpatialPadding.Read(node, spatialRank),
            node.SinceVersion >= 10 && a.Int("ceil_mode", 0) != 0,
            kind == PoolKind.Average && node.SinceVersion >= 7 && a.Int("count_include_pad", 0) != 0);
        spec.Padding.RejectDilatedSame(node, spec.Dilations);
        a.RejectUnknown();
        return spec;
    }
}

/// <summary>Mean over all spatial axes, keeping them as size 1.</summary>
public sealed record GlobalAveragePoolSpec : OpSpec
{
    public static readonly GlobalAveragePoolSpec Instance = new();
    public override string OpType => "GlobalAveragePool";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "X");
        if (x.Length < 3) throw new ShapeException($"GlobalAveragePool needs [N, C, spatial...], got {ShapeMath.Format(x)}");
        return [x[0], x[1], .. Enumerable.Repeat(1L, x.Length - 2)];
    }
}

public sealed class GlobalAveragePoolMapping : IOperatorMapping
{
    public string OpType => "GlobalAveragePool";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 22];

    public OpSpec Map(NodeContext node)
    {
        node.Attributes.RejectUnknown();
        return GlobalAveragePoolSpec.Instance;
    }
}

/// <summary>Maximum over all spatial axes (1-D, 2-D or 3-D), keeping them as size 1.</summary>
public sealed record GlobalMaxPoolSpec : OpSpec
{
    public static readonly GlobalMaxPoolSpec Instance = new();
    public override string OpType => "GlobalMaxPool";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "X");
        if (x.Length < 2 + WindowAttributes.MinSpatialRank || x.Length > 2 + WindowAttributes.MaxSpatialRank)
            throw new ShapeException($"GlobalMaxPool needs [N, C, spatial...] with 1 to 3 spatial axes, got {ShapeMath.Format(x)}");
        return [x[0], x[1], .. Enumerable.Repeat(1L, x.Length - 2)];
    }
}

public sealed class GlobalMaxPoolMapping : IOperatorMapping
{
    public string OpType => "GlobalMaxPool";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 22];

    public OpSpec Map(NodeContext node)
    {
        node.Attributes.RejectUnknown();
        return GlobalMaxPoolSpec.Instance;
    }
}
