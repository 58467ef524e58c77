using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Local response normalization across channels: y = x / (bias + alpha / size * square_sum)^beta, where
/// square_sum at channel c sums x^2 over channels c - floor((size - 1) / 2) .. c + ceil((size - 1) / 2)
/// that exist (the window is clipped at the edges, its divisor stays <see cref="Size"/>).
/// </summary>
public sealed record LrnSpec(double Alpha, double Beta, double Bias, long Size) : OpSpec
{
    public override string OpType => "LRN";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "X");
        if (x.Length < 2) throw new ShapeException($"LRN needs [N, C, ...], got {ShapeMath.Format(x)}");
        return x;
    }

    public long PadBefore => (Size - 1) / 2;
    public long PadAfter => Size - 1 - PadBefore;
}

/// <summary>LRN 1 and 13 (13 added bfloat16); size is required, the others default as in the spec.</summary>
public sealed class LrnMapping : IOperatorMapping
{
    public string OpType => "LRN";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 13];

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        if (!a.Has("size")) throw node.Fail("attribute 'size' is required");
        long size = a.Int("size", 0);
        if (size < 1) throw node.Fail($"attribute 'size' must be positive, got {size}");
        var spec = new LrnSpec(a.Float("alpha", 1e-4f), a.Float("beta", 0.75f), a.Float("bias", 1f), size);
        a.RejectUnknown();
        return spec;
    }
}
