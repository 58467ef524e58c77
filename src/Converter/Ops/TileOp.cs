using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>Tile: the input repeated <see cref="Repeats"/>[i] times along axis i (one count per axis).</summary>
public sealed record TileSpec(long[] Repeats) : OpSpec
{
    public override string OpType => "Tile";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "input");
        if (Repeats.Length != x.Length)
            throw new ShapeException($"Tile: {Repeats.Length} repeats for an input of rank {x.Length} {ShapeMath.Format(x)}");
        return x.Select((d, i) => d * Repeats[i]).ToArray();
    }
}

public sealed class TileMapping : IOperatorMapping, IParameterTransform
{
    public string OpType => "Tile";

    // Tile-1 took (tiles, axis) inputs; opset 6 is the oldest mapped, so only the repeats form applies.
    public IReadOnlyList<int> SinceVersions { get; } = [6, 13];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        long[] repeats = (node.StaticInput(1) ?? throw node.Fail("input 'repeats' is required")).ToInt64Array();
        if (repeats.Any(r => r < 0)) throw node.Fail("'repeats' must not be negative");
        node.Attributes.RejectUnknown();
        return new TileSpec(repeats);
    }
}
