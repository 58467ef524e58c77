using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Resize (and Upsample) in nearest or linear mode, axis by axis. <see cref="Scales"/> (one per axis) set the
/// output size as floor(input * scale) unless <see cref="Sizes"/> are given; the coordinate mapping uses the given
/// scale, or output / input where sizes were given.
/// </summary>
public sealed record ResizeSpec(string Operator, ResizeMode Mode, CoordinateTransform Transform, NearestRounding Rounding,
    double[]? Scales, long[]? Sizes) : OpSpec
{
    public override string OpType => Operator;

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "X");
        int rank = (Sizes ?? (IReadOnlyList<long>)Scales!.Select(s => 0L).ToArray()).Count;
        if (rank != x.Length) throw new ShapeException($"{OpType}: {rank} scales or sizes for an input of rank {x.Length} " +
            $"{ShapeMath.Format(x)}");
        var y = Enumerable.Range(0, x.Length).Select(i => OutputSize(x, i)).ToArray();
        if (y.Any(d =>
            d < 1)) throw new ShapeException($"{OpType}: input {ShapeMath.Format(x)} resizes to an empty output {ShapeMath.Format(y)}");
        return y;
    }

    public long OutputSize(long[] input, int axis) =>
        Sizes?[axis] ?? (long)Math.Floor(ResizeGeometry.ResizedLength(input[axis], Scales![axis]));

    /// <summary>The scale of the coordinate mapping along one axis.</summary>
    public double ScaleOf(long[] input, int axis) => Scales?[axis] ?? (double)Sizes![axis] / input[axis];

    /// <summary>Whether the axis is left as it is (same size, every output cell reads the cell at its own index).</summary>
    public bool Unchanged(long[] input, int axis)
    {
        long size = OutputSize(input, axis);
        if (size != input[axis]) return false;
        var s = Sampling(input, axis);
        return s.Low.Select((l, j) => l == j && s.HighWeight[j] == 0).All(b => b);
    }

    public AxisSampling Sampling(long[] input, int axis) =>
        ResizeGeometry.Sample(Mode, Transform, Rounding, input[axis], OutputSize(input, axis), ScaleOf(input, axis));
}

public sealed class ResizeMapping : IOperatorMapping, IParameterTransform
{
    public string OpType => "Resize";
    public IReadOnlyList<int> SinceVersions { get; } = [10, 11, 13, 18, 19];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        int rank = (node.InputShape(0) ?? throw node.Fail("input X has no shape")).Length;
        ResizeMode mode = ResizeModes.Read(node, a.String("mode", "nearest"));
        if (node.SinceVersion < 11)
        {
            // Resize-10: (X, scales), asymmetric coordinates, nearest rounding as Upsample.
            double[] legacyScales = ResizeModes.Scales(node, node.StaticInput(1) ?? throw node.Fail("input 'scales' is required"), rank);
            a.RejectUnknown();
            return new ResizeSpec(OpType, mode, CoordinateTransform.Asymmetric, NearestRounding.Legacy, legacyScales, null);
        }

        string transformName = a.String("coordinate_transformation_mode", "half_pixel");
        CoordinateTransform transform = transformName switch
        {
            "half_pixel" => CoordinateTransform.HalfPixel,
            "pytorch_half_pixel" => CoordinateTransform.PytorchHalfPixel,
            "align_corners" => CoordinateTransform.AlignCorners,
            "asymmetric" => CoordinateTransform.Asymmetric,
            "tf_half_pixel_for_nn" => CoordinateTransform.TfHalfPixelForNearest,
            _ => throw node.Fail($"coordinate_transformation_mode '{transformName}' is not supported (half_pixel, pytorch_half_pixel, " +
                $"align_corners, asymmetric, tf_half_pixel_for_nn are)"),
        };
        string roundingName = a.String("nearest_mode", "round_prefer_floor");
        NearestRounding rounding = roundingName switch
        {
            "round_prefer_floor" => NearestRounding.RoundPreferFloor,
            "round_prefer_ceil" => NearestRounding.RoundPreferCeil,
            "floor" => NearestRounding.Floor,
            "ceil" => NearestRounding.Ceil,
            _ => throw node.Fail($"nearest_mode '{roundingName}' is not one of round_prefer_floor, round_prefer_ceil, floor, ceil"),
        };
        // Cubic-only and crop-only attributes cannot change a nearest or linear result.
        a.Ignore("cubic_coeff_a", "exclude_outside", "extrapolation_value");
        if (node.SinceVersion >= 18)
        {
            if (a.Int("antialias", 0) != 0) throw node.Fail("antialias = 1 is not supported");
            string policy = a.String("keep_aspect_ratio_policy", "stretch");
            if (policy != "stretch") throw node.Fail($"keep_aspect_ratio_policy '{policy}' is not supported (only 'stretch')");
        }
        long[]? axes = node.SinceVersion >= 18 ? a.Ints("axes") : null;

        HostTensor? scales = node.StaticInput(2) is { Count: > 0 } s ? s : null;
        HostTensor? sizes = node.StaticInput(3) is { Count: > 0 } z ? z : null;
        if ((scales == null) == (sizes == null)) throw node.Fail("exactly one of 'scales' and 'sizes' must be given");
        a.RejectUnknown();
        long[] shape = node.InputShape(0)!;
        if (scales != null && transform is CoordinateTransform.AlignCorners or CoordinateTransform.PytorchHalfPixel)
            RejectFractionalLengths(node, transformName, shape, ResizeModes.Expand(node, ResizeModes.Scales(node, scales, axes?.Length
                ?? rank), axes, rank, 1.0));
        return scales != null
            ? new ResizeSpec(OpType, mode, transform, rounding, ResizeModes.Expand(node, ResizeModes.Scales(node, scales, axes?.Length
                ?? rank), axes, rank, 1.0), null)
            : new ResizeSpec(OpType, mode, transform, rounding, null,
                ResizeModes.Expand(node, sizes!.ToInt64Array(), axes, rank, shape));
    }

    /// <summary>
    /// These modes divide by the resized length. The spec takes it as input * scale before rounding, ONNX Runtime as the
    /// rounded output size; where the two differ a model fine-tuned here would not be served as it was trained, so the
    /// combination is refused up front.
    /// </summary>
    private static void RejectFractionalLengths(NodeContext node, string transformName, long[] shape, double[] scales)
    {
        for (int i = 0; i < shape.Length; i++)
            if (ResizeGeometry.ResizedLength(shape[i], scales[i]) is var length && length != Math.Floor(length))
                throw node.Fail($"coordinate_transformation_mode '{transformName}' with 'scales' that do not give a whole size (axis {i}: "
                    + $"{shape[i]} x {scales[i]}) is not supported: ONNX Runtime does not compute it as the ONNX specification defines; " +
                        $"give 'sizes' instead");
    }
}

/// <summary>Upsample-7 (scales attribute) and Upsample-9/10 (scales input): Resize with asymmetric coordinates.</summary>
public sealed class UpsampleMapping : IOperatorMapping, IParameterTransform
{
    public string OpType => "Upsample";
    public IReadOnlyList<int> SinceVersions { get; } = [7, 9, 10];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        int rank = (node.InputShape(0) ?? throw node.Fail("input X has no shape")).Length;
        ResizeMode mode = ResizeModes.Read(node, a.String("mode", "nearest"));
        double[] scales = node.SinceVersion < 9
            ? (a.Floats("scales") ?? throw node.Fail("'scales' is required")).Select(f => (double)f).ToArray()
            : ResizeModes.Scales(node, node.StaticInput(1) ?? throw node.Fail("input 'scales' is required"), rank);
        if (scales.Length != rank) throw node.Fail($"'scales' has {scales.Length} values for an input of rank {rank}");
        if (scales.Any(s => s < 1)) throw node.Fail("Upsample 'scales' must be at least 1");
        a.RejectUnknown();
        return new ResizeSpec(OpType, mode, CoordinateTransform.Asymmetric, NearestRounding.Legacy, scales, null);
    }
}

internal static class ResizeModes
{
    public static ResizeMode Read(NodeContext node, string mode) => mode switch
    {
        "nearest" => ResizeMode.Nearest,
        "linear" or "bilinear" or "trilinear" => ResizeMode.Linear,
        _ => throw node.Fail($"mode '{mode}' is not supported (only 'nearest' and 'linear')"),
    };

    public static double[] Scales(NodeContext node, HostTensor scales, int count)
    {
        if (scales.Count != count) throw node.Fail($"'scales' has {scales.Count} values, expected {count}");
        // Scales are float32 in the model; the sizes they give are computed from the float32 value, as ONNX Runtime does.
        double[] values = scales.Values.Select(v => (double)(float)v).ToArray();
        if (values.Any(v => v <= 0)) throw node.Fail("'scales' must be positive");
        return values;
    }

    /// <summary>Values given for <paramref name="axes"/> only (Resize-18), spread over every axis; the others keep their default.</summary>
    public static T[] Expand<T>(NodeContext node, T[] values, long[]? axes, int rank, T unchanged) =>
        Expand(node, values, axes, rank, Enumerable.Repeat(unchanged, rank).ToArray());

    public static T[] Expand<T>(NodeContext node, T[] values, long[]? axes, int rank, T[] defaults)
    {
        if (axes == null)
        {
            if (values.Length != rank) throw node.Fail($"{values.Length} scales or sizes for an input of rank {rank}");
            return values;
        }
        if (values.Length != axes.Length) throw node.Fail($"{values.Length} scales or sizes for {axes.Length} axes");
        var full = (T[])defaults.Clone();
        for (int i = 0; i < axes.Length; i++)
        {
            long axis = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (axis < 0 || axis >= rank) throw node.Fail($"axis {axes[i]} is out of range for rank {rank}");
            full[axis] = values[i];
        }
        return full;
    }
}
