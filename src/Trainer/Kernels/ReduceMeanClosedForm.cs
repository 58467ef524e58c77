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
        var x = inputs[0]!;
        long[] shape = x.Sizes();
        long count = spec.ReducedAxes(shape.Length).Aggregate(1L, (p, axis) => p * shape[axis]);
        var products = new Tensor?[inputs.Count];
        products[0] = error.reshape(spec.KeptShape(shape)).expand(shape).DividedBy(count);
        return products;
    }
}
