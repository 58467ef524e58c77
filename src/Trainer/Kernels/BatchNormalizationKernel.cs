using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// BatchNormalization in either form. The training form normalizes with the batch's mean and biased variance, as
/// PyTorch's train mode and the ONNX specification do; it is one vertex over the whole batch, whose local
/// vector-Jacobian product carries the coupling of the samples, so Z-IL stays equal to backprop.
/// </summary>
public sealed class BatchNormalizationKernel : Kernel<BatchNormalizationSpec>
{
    protected override Tensor Forward(BatchNormalizationSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        if (x.dim() < 2) throw new KernelException($"BatchNormalization needs [N, C, ...], got {ShapeOf(x)}");
        long[] statisticShape = StatisticShape(spec, x);
        long count = statisticShape.Aggregate(1L, (p, d) => p * d);
        string unit = spec.Spatial ? "channels" : "activations per sample";
        Tensor Statistic(int index, string name)
        {
            var t = Required(inputs, index, name);
            if (t.numel() != count) throw new KernelException($"BatchNormalization {name} has {t.numel()} values for {count} {unit}");
            return t.reshape(statisticShape);
        }
        var scale = Statistic(1, "scale");
        var bias = Statistic(2, "B");
        // The stored statistics are frozen (docs/algorithms.md rule 5), though an exporter that merged a running mean of zeros
        // with a bias of zeros into one initializer (torch.onnx does) makes them a trainable parameter's view: no gradient
        // passes through them, which libtorch's batch norm would refuse anyway.
        var mean = Statistic(3, "input_mean").detach();
        var variance = Statistic(4, "input_var").detach();
        // Per channel, libtorch's own batch norm: one pass forward and one backward, where the spelled-out formula costs
        // five passes over X forward and as many back (DenseNet-121 has 120 of these). Its statistics with a batch are the
        // mean and the biased variance, as the specification defines them; running statistics are not its business
        // (RunningStatistics moves them). libtorch refuses batch statistics of a single value per channel, which the
        // specification allows (the variance is then 0): those take the formula.
        if (spec.Spatial && (spec.Batch == null || x.numel() / x.size(1) > 1))
            return nn.functional.batch_norm(x, spec.Batch == null ? mean.flatten() : null, spec.Batch == null ? variance.flatten() : null,
                scale.flatten(), bias.flatten(), training: spec.Batch != null, eps: spec.Epsilon);
        if (spec.Batch == null) return ((x - mean) / variance.Plus(spec.Epsilon).sqrt() * scale).Plus(bias);
        long[] axes = StatisticAxes(spec, x);
        var batchMean = x.mean(axes, keepdim: true);
        var batchVariance = x.var(axes, unbiased: false, keepdim: true);
        return ((x - batchMean) / batchVariance.Plus(spec.Epsilon).sqrt() * scale).Plus(bias);
    }

    /// <summary>
    /// The axes a statistic is taken over: with <see cref="BatchNormalizationSpec.Spatial"/> one per channel, over the
    /// batch and spatial axes; per activation (spatial = 0), over the batch axis only.
    /// </summary>
    public static long[] StatisticAxes(BatchNormalizationSpec spec, Tensor x) =>
        spec.Spatial ? [0, .. Enumerable.Range(2, (int)x.dim() - 2).Select(a => (long)a)] : [0];

    private static long[] StatisticShape(BatchNormalizationSpec spec, Tensor x) => spec.Spatial
        ? [1, x.size(1), .. Enumerable.Repeat(1L, (int)x.dim() - 2)]
        : [1, .. x.Sizes()[1..]];
}
