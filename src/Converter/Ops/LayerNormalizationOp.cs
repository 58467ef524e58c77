using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Y = (X - mean) / sqrt(var + epsilon) * Scale + B, the statistics taken over the axes from <see cref="Axis"/>
/// to the last (negative counts from the back). Scale and B broadcast to those trailing axes; both are trainable.
/// </summary>
public sealed record LayerNormalizationSpec(long Axis, double Epsilon) : OpSpec
{
    public override string OpType => "LayerNormalization";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "X");
        long[] normalized = x[FirstAxis(x.Length)..];
        CheckBroadcast(Input(inputs, 1, "Scale"), normalized, "Scale");
        if (inputs.Count > 2 && inputs[2] is { } b) CheckBroadcast(b, normalized, "B");
        return x;
    }

    public int FirstAxis(int rank) => ShapeMath.Axis(Axis, rank, "LayerNormalization axis");

    /// <summary>Unidirectional broadcasting: Scale and B stretch to the normalized axes, never the other way.</summary>
    private static void CheckBroadcast(long[] operand, long[] normalized, string name)
    {
        bool fits = operand.Length <= normalized.Length;
        for (int i = 1; fits && i <= operand.Length; i++) fits = operand[^i] == normalized[^i] || operand[^i] == 1;
        if (!fits)
            throw new ShapeException($"LayerNormalization {name} {ShapeMath.Format(operand)} does not broadcast to the normalized axes " +
                $"{ShapeMath.Format(normalized)}");
    }
}

/// <summary>Which statistic of LayerNormalization an optional output holds.</summary>
public enum LayerNormalizationStatistic
{
    Mean,
    InvStdDev,
}

/// <summary>
/// LayerNormalization's optional outputs: the mean of X over the normalized axes, or 1 / sqrt(var + epsilon),
/// shaped as X with those axes set to 1. Only X is read; Scale and B do not enter the statistics.
/// </summary>
public sealed record LayerNormalizationStatisticSpec(long Axis, double Epsilon, LayerNormalizationStatistic Statistic) : OpSpec
{
    public override string OpType => "LayerNormalization";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "X");
        int first = FirstAxis(x.Length);
        return [.. x[..first], .. Enumerable.Repeat(1L, x.Length - first)];
    }

    public int FirstAxis(int rank) => ShapeMath.Axis(Axis, rank, "LayerNormalization axis");
}

/// <summary>
/// LayerNormalization-17. stash_type names the precision of the statistics in ONNX Runtime's float16 kernels;
/// the PCN computes them in its own working precision (float32 or float64), which is at least as precise, so
/// every value is accepted. Y and each optional output read (Mean, InvStdDev) are vertices of their own; the
/// statistics are differentiable functions of X like Y.
/// </summary>
public sealed class LayerNormalizationMapping : IOperatorMapping, IGraphExpansion
{
    public string OpType => "LayerNormalization";
    public IReadOnlyList<int> SinceVersions { get; } = [17];

    public string Form => "one vertex per output";

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        var spec = new LayerNormalizationSpec(a.Int("axis", -1), a.Float("epsilon", 1e-5f));
        a.Int("stash_type", 1);
        a.RejectUnknown();
        if (!node.HasInput(1)) throw node.Fail("input 'Scale' is required");
        return spec;
    }

    public IReadOnlyList<Operand> Expand(NodeContext node, VertexSink vertices)
    {
        var y = (LayerNormalizationSpec)Map(node);
        var outputs = new Operand[node.Node.Output.Count];
        for (int i = 0; i < outputs.Length; i++)
        {
            string name = node.Node.Output[i];
            outputs[i] = name == "" ? Operand.Absent.Instance : i switch
            {
                0 => new Operand.FromVertex(vertices.Add(name, y, node.Operands)),
                1 => Statistic(name, LayerNormalizationStatistic.Mean),
                2 => Statistic(name, LayerNormalizationStatistic.InvStdDev),
                _ => throw node.Fail($"output {i} does not exist"),
            };
        }
        return outputs;

        Operand Statistic(string name, LayerNormalizationStatistic which) =>
            new Operand.FromVertex(vertices.Add(name, new LayerNormalizationStatisticSpec(y.Axis, y.Epsilon, which), [node.Operands[0]]));
    }
}
