using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// 1-D, 2-D or 3-D transposed convolution: X [N, C, spatial...], W [C, M/group, k...], optional B [M].
/// <see cref="OutputShape"/> (spatial sizes), when given, fixes the output and the padding is derived from it.
/// </summary>
public sealed record ConvTransposeSpec(long[] Strides, long[] Dilations, long Group, SpatialPadding Padding,
    long[] OutputPadding, long[]? OutputShape) : OpSpec
{
    public override string OpType => "ConvTranspose";

    public int SpatialRank => Strides.Length;

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "X"), w = Input(inputs, 1, "W");
        WindowAttributes.CheckRank(OpType, "X", x, SpatialRank);
        WindowAttributes.CheckRank(OpType, "W", w, SpatialRank);
        if (x[1] != w[0] || x[1] % Group != 0)
            throw new ShapeException($"ConvTranspose: X {ShapeMath.Format(x)} has {x[1]} channels, W {ShapeMath.Format(w)} expects " +
                $"{w[0]} (group {Group})");
        long outputChannels = w[1] * Group;
        if (inputs.Count > 2 && inputs[2] is { } b && (b.Length != 1 || b[0] != outputChannels))
            throw new ShapeException($"ConvTranspose: bias {ShapeMath.Format(b)} does not match {outputChannels} output channels");
        var geometry = Geometry(x[2..], w[2..]);
        return [x[0], outputChannels, .. geometry.Output];
    }

    /// <summary>
    /// The output's spatial sizes and the pads [begin..., end...] cropped from the full transposed convolution, whose
    /// size per axis is stride * (in - 1) + (k - 1) * dilation + 1 + output_padding (ONNX's formulas; negative pads
    /// mean the output reaches beyond the full result and those cells hold the bias alone).
    /// </summary>
    public (long[] Output, long[] Pads) Geometry(long[] input, long[] kernel)
    {
        int n = SpatialRank;
        var output = new long[n];
        var pads = new long[2 * n];
        for (int i = 0; i < n; i++)
        {
            long full = Strides[i] * (input[i] - 1) + OutputPadding[i] + (kernel[i] - 1) * Dilations[i] + 1;
            if (OutputShape != null || Padding.Mode is AutoPad.SameUpper or AutoPad.SameLower)
            {
                output[i] = OutputShape?[i] ?? input[i] * Strides[i];
                long total = full - output[i];
                // Where the spec's SAME or output_shape padding turns negative by more than one cell, ONNX Runtime clamps
                // it to zero and returns a different tensor (SAME: a smaller output); a model fine-tuned here would not be
                // served as it was trained, so those forms are refused.
                if (total < 0 && OutputShape == null)
                    throw new ShapeException($"ConvTranspose: auto_pad {Padding.Mode} with a kernel extent smaller than the stride " +
                        $"(axis {i}) is not supported: "
                        + "ONNX Runtime does not compute it as the ONNX specification defines; give explicit 'pads' instead");
                if (total < -1)
                    throw new ShapeException($"ConvTranspose: 'output_shape' {output[i]} exceeds the full result {full} on axis {i} by " +
                        $"more than one cell, "
                        + "which ONNX Runtime does not compute as the ONNX specification defines; use 'output_padding' instead");
                // SAME_UPPER puts the odd cell at the end; SAME_LOWER and explicit output_shape at the beginning. The
                // halving rounds down, as the spec's (Python) formula does, so a negative total (an output larger than
                // the full result) adds its odd cell at the other end.
                long small = (long)Math.Floor(total / 2.0), large = total - small;
                pads[i] = Padding.Mode == AutoPad.SameUpper ? small : large;
                pads[i + n] = Padding.Mode == AutoPad.SameUpper ? large : small;
            }
            else
            {
                long[] explicitPads = Padding.Mode == AutoPad.Valid ? new long[2 * n] : Padding.Explicit;
                pads[i] = explicitPads[i];
                pads[i + n] = explicitPads[i + n];
                output[i] = full - pads[i] - pads[i + n];
            }
            if (output[i] < 1)
                throw new ShapeException($"ConvTranspose: input {ShapeMath.Format(input)} with kernel {ShapeMath.Format(kernel)} gives " +
                    $"an empty output");
        }
        return (output, pads);
    }
}

public sealed class ConvTransposeMapping : IOperatorMapping
{
    public string OpType => "ConvTranspose";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 11, 22];

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        long[]? kernelShape = a.Ints("kernel_shape");
        int spatialRank = WindowAttributes.SpatialRank(node, kernelShape, shapeSourceInput: 1);
        ConvMapping.KernelShapeMatchesWeight(node, kernelShape, node.InputShape(1));
        long[] outputPadding = a.Ints("output_padding") ?? new long[spatialRank];
        if (outputPadding.Length != spatialRank || outputPadding.Any(p => p < 0))
            throw node.Fail($"'output_padding' must hold {spatialRank} non-negative values");
        long[]? outputShape = a.Ints("output_shape");
        // output_shape may be written with or without the N and C axes.
        if (outputShape != null && outputShape.Length == spatialRank + 2) outputShape = outputShape[2..];
        if (outputShape != null && (outputShape.Length != spatialRank || outputShape.Any(s => s < 1)))
            throw node.Fail($"'output_shape' must hold {spatialRank} positive spatial sizes");
        var spec = new ConvTransposeSpec(
            WindowAttributes.PerAxis(node, "strides", spatialRank),
            WindowAttributes.PerAxis(node, "dilations", spatialRank),
            a.Int("group", 1),
            SpatialPadding.Read(node, spatialRank),
            outputPadding, outputShape);
        if (spec.Group < 1) throw node.Fail("'group' must be positive");
        a.RejectUnknown();
        return spec;
    }
}
