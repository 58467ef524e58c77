using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The data's product of a Gather, whose kernels are an index_select, then a reshape (<see cref="GatherKernel"/> with the
/// graph's constant indices, such as a class token's position; <see cref="GatherLookupKernel"/> with a batch's token ids):
/// each error row added into the row its index read, in the indices' order, on zeros of the data's shape, as autograd's
/// index_select_backward runs it (index_add_ on zeros). The indices take no product.
/// </summary>
public static class GatherClosedForm
{
    public static readonly IClosedForm Constant = new OfConstantIndices();
    public static readonly IClosedForm Lookup = new OfLookup();

    private sealed class OfConstantIndices : ClosedForm<GatherSpec>
    {
        protected override bool Covers(GatherSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
            ReshapeClosedForm.OnlyFirstWanted(wanted) && shapes.Count >= 1 && shapes[0] is not null;

        protected override Tensor?[] Products(GatherSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
            IReadOnlyList<bool> wanted)
        {
            var data = inputs[0]!;
            int axis = spec.ResolvedAxis((int)data.dim());
            return Scattered(inputs, axis, GatherKernel.Index(spec, data, axis), error);
        }
    }

    private sealed class OfLookup : ClosedForm<GatherLookupSpec>
    {
        protected override bool Covers(GatherLookupSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
            ReshapeClosedForm.OnlyFirstWanted(wanted) && shapes.Count == 2 && shapes[0] is not null;

        protected override Tensor?[] Products(GatherLookupSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
            IReadOnlyList<bool> wanted)
        {
            var table = inputs[0]!;
            int axis = spec.ResolvedAxis((int)table.dim());
            var rows = GatherLookupKernel.Rows(GatherLookupKernel.FlatIds(inputs[1]!, table.device), table.size(axis));
            return Scattered(inputs, axis, rows, error);
        }
    }

    private static Tensor?[] Scattered(IReadOnlyList<Tensor?> inputs, int axis, Tensor index, Tensor error)
    {
        var data = inputs[0]!;
        long[] sizes = data.Sizes();
        long[] selected = [.. sizes[..axis], index.size(0), .. sizes[(axis + 1)..]];
        var products = new Tensor?[inputs.Count];
        var sum = zeros(sizes, data.dtype, data.device).IndexAddInPlace(axis, index, error.reshape(selected));
        products[0] = sum;
        return products;
    }
}
