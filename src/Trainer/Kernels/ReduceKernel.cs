using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The Reduce* family as differentiable torch operations. Subgradients follow PyTorch: Max and Min (amax, amin)
/// share the error evenly among tied extremes; L1 and L2 (vector_norm) give 0 where the input is 0.
/// </summary>
public sealed class ReduceKernel : Kernel<ReduceSpec>
{
    protected override Tensor Forward(ReduceSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "data");
        long[] shape = SpecShapes.Checked(() => spec.OutputShape(x.Sizes()));
        long[] axes = SpecShapes.Checked(() => spec.ReducedAxes((int)x.dim())).Select(a => (long)a).ToArray();
        // The result is computed with the reduced axes kept and reshaped afterwards, so that every kind (Prod
        // reduces one axis at a time) ends in the same layout.
        Tensor kept = axes.Length == 0 ? Elementwise(spec.Kind, x) : Reduce(spec.Kind, x, axes);
        // With keepdims (LayerNorm's exported statistics) the layout already is the output's: a reshape would only add
        // a view and its autograd node to both passes.
        return kept.Sizes().SequenceEqual(shape) ? kept : kept.reshape(shape);
    }

    /// <summary>The no-op form (noop_with_empty_axes and no axes): each element reduced on its own.</summary>
    private static Tensor Elementwise(ReduceKind kind, Tensor x) => kind switch
    {
        ReduceKind.L1 or ReduceKind.L2 => x.abs(),
        ReduceKind.SumSquare => x.Squared(),
        ReduceKind.LogSum => x.log(),
        _ => x.view_as(x),
    };

    private static Tensor Reduce(ReduceKind kind, Tensor x, long[] axes) => kind switch
    {
        ReduceKind.Sum => x.sum(axes, keepdim: true),
        ReduceKind.Mean => x.mean(axes, keepdim: true),
        ReduceKind.Max => x.amax(axes, keepdim: true),
        ReduceKind.Min => x.amin(axes, keepdim: true),
        ReduceKind.Prod => axes.Aggregate(x, (p, axis) => p.prod(axis, keepdim: true)),
        ReduceKind.L1 => linalg.vector_norm(x, 1, axes, keepdim: true),
        ReduceKind.L2 => linalg.vector_norm(x, 2, axes, keepdim: true),
        ReduceKind.SumSquare => x.Squared().sum(axes, keepdim: true),
        ReduceKind.LogSum => x.sum(axes, keepdim: true).log(),
        // log-sum-exp over several axes is log-sum-exp over one axis at a time.
        ReduceKind.LogSumExp => axes.Aggregate(x, (s, axis) => s.logsumexp(axis, keepdim: true)),
        _ => throw new KernelException($"Reduce{kind} has no kernel"),
    };
}
