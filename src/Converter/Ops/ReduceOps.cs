using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>The Reduce* family; each kind names the per-group function the spec defines.</summary>
public enum ReduceKind { Sum, Mean, Max, Min, Prod, L1, L2, SumSquare, LogSum, LogSumExp }

/// <summary>
/// A reduction over <see cref="Axes"/> (negative ones count from the back). No axes (absent or empty) means
/// every axis, unless <see cref="NoopWithEmptyAxes"/>: then nothing is summed and each output element is the
/// reduction of one input element (x itself for Sum/Mean/Max/Min/Prod/LogSumExp, |x| for L1/L2, x^2 for
/// SumSquare, log x for LogSum), which keeps the family consistent with reducing over an empty set of axes.
/// </summary>
public sealed record ReduceSpec(ReduceKind Kind, long[]? Axes, bool KeepDims, bool NoopWithEmptyAxes) : OpSpec
{
    public override string OpType => "Reduce" + Kind;

    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => OutputShape(Input(inputs, 0, "data"));

    /// <summary>The reduced axes in ascending order; empty for the no-op form.</summary>
    public int[] ReducedAxes(int rank)
    {
        if (Axes == null || Axes.Length == 0)
            return NoopWithEmptyAxes ? [] : Enumerable.Range(0, rank).ToArray();
        var axes = Axes.Select(a => ShapeMath.Axis(a, rank, OpType + " axis")).ToArray();
        if (axes.Distinct().Count() != axes.Length) throw new ShapeException($"{OpType} axes {ShapeMath.Format(Axes)} repeat an axis");
        return [.. axes.Order()];
    }

    public long[] OutputShape(IReadOnlyList<long> input)
    {
        var reduced = ReducedAxes(input.Count).ToHashSet();
        var output = new List<long>();
        for (int k = 0; k < input.Count; k++)
            if (!reduced.Contains(k)) output.Add(input[k]);
            else if (KeepDims) output.Add(1);
        return [.. output];
    }

    /// <summary>The output shape with the reduced axes kept as size 1 (what the groups are indexed by).</summary>
    public long[] KeptShape(IReadOnlyList<long> input)
    {
        var reduced = ReducedAxes(input.Count).ToHashSet();
        return input.Select((d, k) => reduced.Contains(k) ? 1 : d).ToArray();
    }
}

/// <summary>
/// ReduceSum, ReduceMean, ReduceMax, ... . `axes` is an attribute up to the version in which it became an
/// optional static input (ReduceSum 13, the others 18); that version also brings `noop_with_empty_axes`.
/// Negative axes need opset 11. Constant inputs (shape arithmetic) are reduced at conversion time.
/// </summary>
public sealed class ReduceMapping(ReduceKind kind) : IOperatorMapping, IStaticEvaluation, IOperatorFamily
{
    public static IEnumerable<IOperatorMapping> Members => Enum.GetValues<ReduceKind>().Select(k => new ReduceMapping(k));

    public string OpType => "Reduce" + kind;

    public IReadOnlyList<int> SinceVersions { get; } = kind switch
    {
        ReduceKind.Sum => [1, 11, 13],
        // 12 and 20 add integer and bool element types; the float semantics stay.
        ReduceKind.Max or ReduceKind.Min => [1, 11, 12, 13, 18, 20],
        _ => [1, 11, 13, 18],
    };

    private int AxesInputSince => kind == ReduceKind.Sum ? 13 : 18;

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        long[]? axes;
        bool noop = false;
        if (node.SinceVersion >= AxesInputSince)
        {
            axes = node.StaticInput(1)?.ToInt64Array();
            noop = a.Int("noop_with_empty_axes", 0) != 0;
        }
        else
        {
            axes = a.Ints("axes");
            if (node.SinceVersion < 11 && axes?.Any(x => x < 0) == true) throw node.Fail("negative 'axes' need opset 11");
        }
        bool keepDims = a.Int("keepdims", 1) != 0;
        a.RejectUnknown();
        var spec = new ReduceSpec(kind, axes, keepDims, noop);
        if (node.InputShape(0) is { } shape)
        {
            try { spec.OutputShape(shape); }
            catch (ShapeException e) { throw node.Fail(e.Message); }
        }
        return spec;
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (ReduceSpec)Map(node);
        var data = inputs[0] ?? throw node.Fail("input 'data' is required");
        try { return HostReduction.Evaluate(spec, data); }
        catch (ShapeException e) { throw node.Fail(e.Message); }
    }
}

/// <summary>The spec's per-group functions on host values, for reductions evaluated at conversion time.</summary>
internal static class HostReduction
{
    public static HostTensor Evaluate(ReduceSpec spec, HostTensor data)
    {
        long[] kept = spec.KeptShape(data.Shape);
        long[] output = spec.OutputShape(data.Shape);
        var groups = new List<double>[HostTensor.ElementCount(kept)];
        for (int g = 0; g < groups.Length; g++) groups[g] = [];
        long[] index = new long[data.Rank];
        for (long flat = 0; flat < data.Count; flat++)
        {
            // Row-major position of this element, then the position of its group in the kept shape.
            long rest = flat, group = 0;
            for (int k = data.Rank - 1; k >= 0; k--) { index[k] = rest % data.Shape[k]; rest /= data.Shape[k]; }
            for (int k = 0; k < data.Rank; k++) group = group * kept[k] + (kept[k] == 1 ? 0 : index[k]);
            groups[group].Add(data.Values[flat]);
        }
        var values = groups.Select(g => ElementCast.Convert(Reduce(spec.Kind, g), data.ElementType)).ToArray();
        return new HostTensor(data.ElementType, output, values);
    }

    private static double Reduce(ReduceKind kind, List<double> g) => kind switch
    {
        ReduceKind.Sum => g.Sum(),
        ReduceKind.Mean => g.Sum() / g.Count,
        ReduceKind.Max => g.Count == 0 ? double.NegativeInfinity : g.Max(),
        ReduceKind.Min => g.Count == 0 ? double.PositiveInfinity : g.Min(),
        ReduceKind.Prod => g.Aggregate(1.0, (p, v) => p * v),
        ReduceKind.L1 => g.Sum(Math.Abs),
        ReduceKind.L2 => Math.Sqrt(g.Sum(v => v * v)),
        ReduceKind.SumSquare => g.Sum(v => v * v),
        ReduceKind.LogSum => Math.Log(g.Sum()),
        _ => LogSumExp(g),
    };

    private static double LogSumExp(List<double> g)
    {
        if (g.Count == 0) return double.NegativeInfinity;
        double max = g.Max();
        return double.IsInfinity(max) ? max : max + Math.Log(g.Sum(v => Math.Exp(v - max)));
    }
}
