using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Y = alpha * A' B' + beta * C, where A' and B' are optionally transposed. C broadcasts unidirectionally to
/// Y's shape [M, N] when <see cref="BroadcastC"/> (always from opset 7; Gemm-6 only with broadcast = 1),
/// otherwise it must have exactly that shape.
/// </summary>
public sealed record GemmSpec(double Alpha, double Beta, bool TransA, bool TransB, bool BroadcastC = true) : OpSpec
{
    public override string OpType => "Gemm";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] a = Input(inputs, 0, "A"), b = Input(inputs, 1, "B");
        if (a.Length != 2
            || b.Length != 2) throw new ShapeException($"Gemm needs 2-D A and B, got {ShapeMath.Format(a)} and {ShapeMath.Format(b)}");
        long m = TransA ? a[1] : a[0], k = TransA ? a[0] : a[1], kb = TransB ? b[1] : b[0], n = TransB ? b[0] : b[1];
        if (k != kb) throw new ShapeException($"Gemm: A {ShapeMath.Format(a)} and B {ShapeMath.Format(b)} do not multiply (transA " +
            $"{TransA}, transB {TransB})");
        long[] y = [m, n];
        if (inputs.Count > 2 && inputs[2] is { } c)
        {
            if (!BroadcastC && !c.SequenceEqual(y))
                throw new ShapeException($"Gemm: C {ShapeMath.Format(c)} must have the output's shape {ShapeMath.Format(y)} (before " +
                    $"opset 7, broadcast = 0)");
            if (!ShapeMath.Broadcast(y, c).SequenceEqual(y))
                throw new ShapeException($"Gemm: C {ShapeMath.Format(c)} does not broadcast to {ShapeMath.Format(y)}");
        }
        return y;
    }
}

public sealed class GemmMapping : IOperatorMapping
{
    public string OpType => "Gemm";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 7, 9, 11, 13];

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        // Gemm-6's legacy broadcast has no axis: C lines up with Y's trailing dimensions, which for a 2-D Y
        // is the same as unidirectional broadcasting.
        bool broadcastC = node.SinceVersion >= 7 || a.Int("broadcast", 0) != 0;
        var spec = new GemmSpec(a.Float("alpha", 1f), a.Float("beta", 1f), a.Int("transA", 0) != 0, a.Int("transB", 0) != 0, broadcastC);
        if (node.SinceVersion < 11 && !node.HasInput(2)) throw node.Fail("input C is required before opset 11");
        a.RejectUnknown();
        return spec;
    }
}
