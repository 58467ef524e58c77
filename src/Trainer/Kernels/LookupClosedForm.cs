using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The embedding table's product of a lookup (<see cref="GatherLookupKernel"/>: an index_select of the ids, then reshaped):
/// each error row added into the row its id read, in the ids' order, on zeros of the table's shape, as autograd's
/// index_select_backward runs it (index_add_), laid out as the leaf's gradient is. The ids take no product.
/// </summary>
public sealed class LookupClosedForm : ClosedForm<GatherLookupSpec>
{
    protected override bool Covers(GatherLookupSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        ReshapeClosedForm.OnlyFirstWanted(wanted) && shapes.Count == 2 && shapes[0] is not null;

    protected override Tensor?[] Products(GatherLookupSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        var table = inputs[0]!;
        int axis = spec.ResolvedAxis((int)table.dim());
        long size = table.shape[axis];
        var ids = inputs[1]!.to(ScalarType.Int64, table.device).flatten();
        var wrapped = where(ids.LessThan(0), ids.Plus(size), ids);
        long[] selected = [.. table.shape[..axis], wrapped.shape[0], .. table.shape[(axis + 1)..]];
        var products = new Tensor?[inputs.Count];
        products[0] = LeafLayout.Of(zeros(table.shape, table.dtype, table.device).IndexAddInPlace(axis, wrapped, error.reshape(selected)), table);
        return products;
    }
}
