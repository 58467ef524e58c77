namespace ZilOnnx.Converter.Ops;

public enum AutoPad { NotSet, SameUpper, SameLower, Valid }

/// <summary>
/// The ONNX padding of a sliding-window operator (Conv, pooling): explicit `pads` or an `auto_pad` rule. SAME
/// rules depend on the input size, so they are resolved when the input's shape is known.
/// </summary>
public sealed record SpatialPadding(AutoPad Mode, long[] Explicit)
{
    public static SpatialPadding Read(NodeContext node, int spatialRank)
    {
        var a = node.Attributes;
        string mode = a.String("auto_pad", "NOTSET");
        long[]? pads = a.Ints("pads");
        AutoPad autoPad = mode switch
        {
            "NOTSET" or "" => AutoPad.NotSet,
            "SAME_UPPER" => AutoPad.SameUpper,
            "SAME_LOWER" => AutoPad.SameLower,
            "VALID" => AutoPad.Valid,
            _ => throw node.Fail($"auto_pad '{mode}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID"),
        };
        if (pads != null && autoPad != AutoPad.NotSet)
            throw node.Fail("'pads' and 'auto_pad' cannot be used together");
        pads ??= new long[2 * spatialRank];
        if (pads.Length != 2 * spatialRank)
            throw node.Fail($"'pads' has {pads.Length} values, expected {2 * spatialRank} (begin and end of each spatial axis)");
        if (pads.Any(p => p < 0)) throw node.Fail("negative 'pads' are not allowed");
        return new SpatialPadding(autoPad, pads);
    }

    /// <summary>
    /// The spec pads a SAME window by its dilated extent, so that output = ceil(input / stride). ONNX Runtime refuses
    /// dilated SAME convolutions and pads dilated SAME pooling by the undilated kernel (a smaller output). A model
    /// fine-tuned here would then not be served as it was trained, so the combination is refused up front.
    /// </summary>
    public void RejectDilatedSame(NodeContext node, IReadOnlyList<long> dilations)
    {
        if (Mode is AutoPad.SameUpper or AutoPad.SameLower && dilations.Any(d => d != 1))
            throw node.Fail("auto_pad SAME_UPPER/SAME_LOWER with dilations > 1 is not supported: ONNX Runtime does not compute it "
                + "as the ONNX specification defines; give explicit 'pads' instead");
    }

    /// <summary>Pads as [begin..., end...] for the given input spatial sizes.</summary>
    public long[] Resolve(IReadOnlyList<long> inputSize, IReadOnlyList<long> kernel, IReadOnlyList<long> strides,
        IReadOnlyList<long> dilations)
    {
        int n = inputSize.Count;
        if (Mode == AutoPad.NotSet) return Explicit;
        var result = new long[2 * n];
        if (Mode == AutoPad.Valid) return result;
        for (int i = 0; i < n; i++)
        {
            // SAME: output = ceil(input / stride); the total padding is split with the odd one at the end
            // (SAME_UPPER) or at the beginning (SAME_LOWER).
            long output = (inputSize[i] + strides[i] - 1) / strides[i];
            long extent = (kernel[i] - 1) * dilations[i] + 1;
            long total = Math.Max(0, (output - 1) * strides[i] + extent - inputSize[i]);
            long small = total / 2, large = total - small;
            result[i] = Mode == AutoPad.SameUpper ? small : large;
            result[i + n] = Mode == AutoPad.SameUpper ? large : small;
        }
        return result;
    }
}
