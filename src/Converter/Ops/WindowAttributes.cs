namespace ZilOnnx.Converter.Ops;

/// <summary>Reads the per-axis window attributes Conv and the pooling operators share, with the spec's defaults (all 1).</summary>
internal static class WindowAttributes
{
    public static long[] PerAxis(NodeContext node, string name, int spatialRank)
    {
        long[]? values = node.Attributes.Ints(name);
        if (values == null) return Enumerable.Repeat(1L, spatialRank).ToArray();
        if (values.Length != spatialRank)
            throw node.Fail($"'{name}' has {values.Length} values, expected {spatialRank}");
        if (values.Any(v => v < 1)) throw node.Fail($"'{name}' values must be positive");
        return values;
    }
}
