using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// How DepthToSpace reads the channel axis: DCR (depth-column-row, the default) takes the block offsets as the
/// outer part of the channel index, CRD (column-row-depth, PyTorch's PixelShuffle) as the inner part.
/// </summary>
public enum DepthToSpaceMode { Dcr, Crd }

/// <summary>DepthToSpace: [N, C, H, W] to [N, C/(b*b), H*b, W*b].</summary>
public sealed record DepthToSpaceSpec(long BlockSize, DepthToSpaceMode Mode) : OpSpec
{
    public override string OpType => "DepthToSpace";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "input");
        if (x.Length != 4) throw new ShapeException($"DepthToSpace needs a 4-D input [N, C, H, W], got {ShapeMath.Format(x)}");
        long square = BlockSize * BlockSize;
        if (x[1] % square != 0) throw new ShapeException($"DepthToSpace: {x[1]} channels are not a multiple of blocksize^2 = {square}");
        return [x[0], x[1] / square, x[2] * BlockSize, x[3] * BlockSize];
    }
}

/// <summary>SpaceToDepth, the inverse of DCR DepthToSpace: [N, C, H, W] to [N, C*b*b, H/b, W/b].</summary>
public sealed record SpaceToDepthSpec(long BlockSize) : OpSpec
{
    public override string OpType => "SpaceToDepth";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "input");
        if (x.Length != 4) throw new ShapeException($"SpaceToDepth needs a 4-D input [N, C, H, W], got {ShapeMath.Format(x)}");
        if (x[2] % BlockSize != 0 || x[3] % BlockSize != 0)
            throw new ShapeException($"SpaceToDepth: spatial sizes {x[2]}x{x[3]} are not multiples of blocksize {BlockSize}");
        return [x[0], x[1] * BlockSize * BlockSize, x[2] / BlockSize, x[3] / BlockSize];
    }
}

public sealed class DepthToSpaceMapping : IOperatorMapping, IParameterTransform
{
    public string OpType => "DepthToSpace";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 11, 13];

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        long blockSize = a.Has("blocksize") ? a.Int("blocksize", 0) : throw node.Fail("'blocksize' is required");
        if (blockSize < 1) throw node.Fail("'blocksize' must be positive");
        // The mode attribute exists from DepthToSpace-11 on; before, the layout is DCR.
        string mode = node.SinceVersion >= 11 ? a.String("mode", "DCR") : "DCR";
        var spec = new DepthToSpaceSpec(blockSize, mode switch
        {
            "DCR" => DepthToSpaceMode.Dcr,
            "CRD" => DepthToSpaceMode.Crd,
            _ => throw node.Fail($"mode '{mode}' is not one of DCR, CRD"),
        });
        a.RejectUnknown();
        return spec;
    }
}

public sealed class SpaceToDepthMapping : IOperatorMapping, IParameterTransform
{
    public string OpType => "SpaceToDepth";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 13];

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        long blockSize = a.Has("blocksize") ? a.Int("blocksize", 0) : throw node.Fail("'blocksize' is required");
        if (blockSize < 1) throw node.Fail("'blocksize' must be positive");
        a.RejectUnknown();
        return new SpaceToDepthSpec(blockSize);
    }
}
