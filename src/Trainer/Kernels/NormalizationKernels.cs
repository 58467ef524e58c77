using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>Statistics shared by the normalizations: the biased variance, as every ONNX normalization defines it.</summary>
internal static class Standardize
{
    public static Tensor Over(Tensor x, long[] axes, double epsilon)
    {
        var centered = x - x.mean(axes, keepdim: true);
        var variance = centered.Squared().mean(axes, keepdim: true);
        return centered / variance.Plus(epsilon).sqrt();
    }
}

public sealed class LayerNormalizationKernel : Kernel<LayerNormalizationSpec>
{
    protected override Tensor Forward(LayerNormalizationSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        var scale = Required(inputs, 1, "Scale");
        var bias = Optional(inputs, 2);
        long[] xSizes = x.Sizes(), scaleSizes = scale.Sizes();
        long[]? biasSizes = bias?.Sizes();
        SpecShapes.Checked(() => spec.InferShape([xSizes, scaleSizes, biasSizes]));
        int first = spec.FirstAxis(xSizes.Length);
        long[] normalized = xSizes[first..];
        // torch's own layer_norm, one operation each way (as PyTorch trains it), where Scale and B are shaped as the
        // normalized axes; a Scale or B that broadcasts to them takes the written-out form.
        if (scaleSizes.SequenceEqual(normalized) && (biasSizes is null || biasSizes.SequenceEqual(normalized)))
            return nn.functional.layer_norm(x, normalized, scale, bias, spec.Epsilon);
        long[] axes = Enumerable.Range(first, (int)x.dim() - first).Select(a => (long)a).ToArray();
        var y = Standardize.Over(x, axes, spec.Epsilon) * scale;
        return bias is null ? y : y.Plus(bias);
    }
}

/// <summary>Mean or 1 / sqrt(var + epsilon) over the normalized axes, in the working precision of X.</summary>
public sealed class LayerNormalizationStatisticKernel : Kernel<LayerNormalizationStatisticSpec>
{
    protected override Tensor Forward(LayerNormalizationStatisticSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        SpecShapes.Checked(() => spec.InferShape([x.Sizes()]));
        int first = spec.FirstAxis((int)x.dim());
        long[] axes = Enumerable.Range(first, (int)x.dim() - first).Select(a => (long)a).ToArray();
        var mean = x.mean(axes, keepdim: true);
        if (spec.Statistic == LayerNormalizationStatistic.Mean) return mean;
        var variance = (x - mean).Squared().mean(axes, keepdim: true);
        return variance.Plus(spec.Epsilon).rsqrt();
    }
}

public sealed class InstanceNormalizationKernel : Kernel<InstanceNormalizationSpec>
{
    protected override Tensor Forward(InstanceNormalizationSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "input");
        var scale = Required(inputs, 1, "scale");
        var bias = Required(inputs, 2, "B");
        SpecShapes.Checked(() => spec.InferShape([x.Sizes(), scale.Sizes(), bias.Sizes()]));
        long[] spatial = Enumerable.Range(2, (int)x.dim() - 2).Select(a => (long)a).ToArray();
        long[] perChannel = [1, x.size(1), .. Enumerable.Repeat(1L, spatial.Length)];
        return (Standardize.Over(x, spatial, spec.Epsilon) * scale.reshape(perChannel)).Plus(bias.reshape(perChannel));
    }
}

public sealed class LrnKernel : Kernel<LrnSpec>
{
    protected override Tensor Forward(LrnSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        SpecShapes.Checked(() => spec.InferShape([x.Sizes()]));
        long channels = x.size(1);
        // Zero channels before and after make the clipped window a plain sliding sum of `size` channels.
        var squares = x.Squared();
        long[] spatial = x.Sizes()[2..];
        long[] zerosShape(long count) => [x.size(0), count, .. spatial];
        var padded = cat([zeros(zerosShape(spec.PadBefore), x.dtype, x.device), squares, zeros(zerosShape(spec.PadAfter), x.dtype,
            x.device)], 1);
        var squareSum = Enumerable.Range(0, (int)spec.Size).Select(k => padded.narrow(1, k, channels)).Aggregate((s, t) => s.Plus(t));
        return x / squareSum.Times(spec.Alpha / spec.Size).Plus(spec.Bias).Pow(spec.Beta);
    }
}
