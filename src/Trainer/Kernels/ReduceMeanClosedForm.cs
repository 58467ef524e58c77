using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// ReduceMean's product over its axes (<see cref="ReduceKernel"/>: a mean with the axes kept, then reshaped): the error
/// viewed with the axes kept, expanded to the input's shape and divided by the count of values each mean took, as
/// autograd's mean_backward writes it. The no-op form without axes stays on a tape.
/// </summary>
public sealed class ReduceMeanClosedForm : ClosedForm<ReduceSpec>
{
    protected override bool Covers(ReduceSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        spec.Kind == ReduceKind.Mean && shapes.Count >= 1 && shapes[0] is { } x && spec.ReducedAxes(x.Length).Length > 0
        && ReshapeClosedForm.OnlyFirstWanted(wanted);

    protected override Tensor?[] Products(ReduceSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        long[] shape = inputs[0]!.Sizes();
        var products = new Tensor?[inputs.Count];
        products[0] = Product(error, shape, spec.ReducedAxes(shape.Length), spec.KeptShape(shape));
        return products;
    }

    /// <summary>mean_backward's product for a mean of an input shaped <paramref name="shape"/> over <paramref name="axes"/>.</summary>
    internal static Tensor Product(Tensor error, long[] shape, IEnumerable<int> axes, long[] keptShape)
    {
        long count = axes.Aggregate(1L, (p, axis) => p * shape[axis]);
        return error.reshape(keptShape).expand(shape).DividedBy(count);
    }
}

/// <summary>
/// GlobalAveragePool's product (<see cref="GlobalAveragePoolKernel"/>: a mean over the spatial axes, kept), as
/// ReduceMean's: EfficientNet-B0's 16 squeeze-and-excitation gates and the classifiers' last pooling.
/// </summary>
public sealed class GlobalAveragePoolClosedForm : ClosedForm<GlobalAveragePoolSpec>
{
    protected override bool Covers(GlobalAveragePoolSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        shapes.Count == 1 && shapes[0] is { Length: >= 3 } && ReshapeClosedForm.OnlyFirstWanted(wanted);

    protected override Tensor?[] Products(GlobalAveragePoolSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        long[] shape = inputs[0]!.Sizes();
        return [ReduceMeanClosedForm.Product(error, shape, Enumerable.Range(2, shape.Length - 2), output.Sizes())];
    }
}
