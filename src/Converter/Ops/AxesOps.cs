using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Squeeze and Unsqueeze: the data reshaped, size-1 axes taken out or put in; the output shape follows from the
/// input's shape alone, so one kernel serves both.
/// </summary>
public abstract record AxesReshapeSpec : OpSpec
{
    public sealed override long[] InferShape(IReadOnlyList<long[]?> inputs) => OutputShape(Input(inputs, 0, "data"));

    public abstract long[] OutputShape(IReadOnlyList<long> input);
}

/// <summary>Unsqueeze: inserts size-1 axes at the given positions of the output (negative ones count from its back).</summary>
public sealed record UnsqueezeSpec(long[] Axes) : AxesReshapeSpec
{
    public override string OpType => "Unsqueeze";

    public override long[] OutputShape(IReadOnlyList<long> input)
    {
        int rank = input.Count + Axes.Length;
        var inserted = Axes.Select(a => ShapeMath.Axis(a, rank, "Unsqueeze axis")).ToHashSet();
        if (inserted.Count != Axes.Length) throw new ShapeException($"Unsqueeze axes {ShapeMath.Format(Axes)} repeat an axis");
        var output = new long[rank];
        for (int k = 0, next = 0; k < rank; k++) output[k] = inserted.Contains(k) ? 1 : input[next++];
        return output;
    }
}

/// <summary>Squeeze: removes the given size-1 axes, or every size-1 axis when none are given.</summary>
public sealed record SqueezeSpec(long[]? Axes) : AxesReshapeSpec
{
    public override string OpType => "Squeeze";

    public override long[] OutputShape(IReadOnlyList<long> input)
    {
        if (Axes == null) return input.Where(d => d != 1).ToArray();
        var removed = Axes.Select(a => ShapeMath.Axis(a, input.Count, "Squeeze axis")).ToHashSet();
        foreach (int k in removed)
            if (input[k] != 1) throw new ShapeException($"Squeeze axis {k} has size {input[k]}, not 1");
        return input.Where((_, k) => !removed.Contains(k)).ToArray();
    }
}

/// <summary>
/// Shared by Unsqueeze and Squeeze: `axes` is an attribute before opset 13 (counting from the back allowed from
/// 11) and an optional static input from 13.
/// </summary>
internal static class AxesArgument
{
    public static long[]? Read(NodeContext node)
    {
        long[]? axes;
        if (node.SinceVersion >= 13) axes = node.StaticInput(1)?.ToInt64Array();
        else
        {
            axes = node.Attributes.Ints("axes");
            if (node.SinceVersion < 11 && axes?.Any(a => a < 0) == true) throw node.Fail("negative 'axes' need opset 11");
        }
        node.Attributes.RejectUnknown();
        return axes;
    }

    public static HostTensor Reshaped(NodeContext node, HostTensor? data, AxesReshapeSpec spec)
    {
        if (data == null) throw node.Fail("input 'data' is required");
        try { return data.WithShape(spec.OutputShape(data.Shape)); }
        catch (ShapeException e) { throw node.Fail(e.Message); }
    }
}

public sealed class UnsqueezeMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Unsqueeze";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 11, 13, 21];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node) =>
        new UnsqueezeSpec(AxesArgument.Read(node) ?? throw node.Fail("'axes' is required"));

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs) =>
        AxesArgument.Reshaped(node, inputs[0], (AxesReshapeSpec)Map(node));
}

public sealed class SqueezeMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Squeeze";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 11, 13, 21];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node) => new SqueezeSpec(AxesArgument.Read(node));

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs) =>
        AxesArgument.Reshaped(node, inputs[0], (AxesReshapeSpec)Map(node));
}
