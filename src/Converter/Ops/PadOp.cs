using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>How Pad fills the new cells: a constant, the input mirrored without its edge (reflect), the edge value
/// repeated (edge), or the input continued periodically from the other end (wrap).</summary>
public enum PadMode { Constant, Reflect, Edge, Wrap }

/// <summary>
/// Padding in any mode. <see cref="Pads"/> are [begin..., end...] for the axes in <see cref="Axes"/> (all axes
/// when null); negative values crop.
/// </summary>
public sealed record PadSpec(long[] Pads, double Value, long[]? Axes, PadMode Mode = PadMode.Constant) : OpSpec
{
    public override string OpType => "Pad";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "data");
        long[] pads;
        try { pads = ForRank(x.Length); }
        catch (ArgumentException e) { throw new ShapeException(e.Message); }
        var y = new long[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = x[i] + pads[i] + pads[i + x.Length];
            if (y[i] < 0) throw new ShapeException($"Pad: negative pads crop axis {i} of {ShapeMath.Format(x)} below zero");
            bool grows = pads[i] > 0 || pads[i + x.Length] > 0;
            long kept = x[i] + Math.Min(0, pads[i]) + Math.Min(0, pads[i + x.Length]);
            if (Mode != PadMode.Constant && grows && kept < 1)
                throw new ShapeException($"Pad: mode {Mode} cannot pad axis {i} of {ShapeMath.Format(x)}, which has no cells to copy from");
        }
        return y;
    }

    /// <summary>Pads as [begin..., end...] over every axis of an input of the given rank.</summary>
    public long[] ForRank(int rank)
    {
        long[] axes = Axes ?? Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        if (Pads.Length != 2 * axes.Length)
            throw new ArgumentException($"Pad: {Pads.Length} pads for {axes.Length} axes (expected {2 * axes.Length})");
        var full = new long[2 * rank];
        for (int i = 0; i < axes.Length; i++)
        {
            long axis = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (axis < 0 || axis >= rank) throw new ArgumentException($"Pad: axis {axes[i]} is out of range for rank {rank}");
            full[axis] = Pads[i];
            full[axis + rank] = Pads[i + axes.Length];
        }
        return full;
    }
}

public sealed class PadMapping : IOperatorMapping, IParameterTransform
{
    public string OpType => "Pad";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 2, 11, 13, 18, 19, 21];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        string modeName = a.String("mode", "constant");
        PadMode mode = modeName switch
        {
            "constant" => PadMode.Constant,
            "reflect" => PadMode.Reflect,
            "edge" => PadMode.Edge,
            "wrap" when node.SinceVersion >= 19 => PadMode.Wrap,
            "wrap" => throw node.Fail("mode 'wrap' needs opset 19"),
            _ => throw node.Fail($"mode '{modeName}' is not one of constant, reflect, edge, wrap"),
        };
        PadSpec spec;
        if (node.SinceVersion < 11)
        {
            long[] pads = (node.SinceVersion < 2 ? a.Ints("paddings") : a.Ints("pads")) ?? throw node.Fail("'pads' is required");
            spec = new PadSpec(pads, a.Float("value", 0f), null, mode);
        }
        else
        {
            long[] pads = (node.StaticInput(1) ?? throw node.Fail("input 'pads' is required")).ToInt64Array();
            double value = node.StaticInput(2) is { } v ? (v.Count == 1 ? v.Values[0]
                : throw node.Fail("constant_value must hold one value")) : 0.0;
            long[]? axes = node.SinceVersion >= 18 ? node.StaticInput(3)?.ToInt64Array() : null;
            spec = new PadSpec(pads, value, axes, mode);
        }
        a.RejectUnknown();
        // No pad on any axis, in any mode, is the identity: PyTorch's export of an AvgPool2d writes one before every
        // pooling (DenseNet-121's three), which as a Pad would copy the feature map forward and narrow its error back.
        return spec.Pads.All(p => p == 0) ? IdentitySpec.Instance : spec;
    }
}
