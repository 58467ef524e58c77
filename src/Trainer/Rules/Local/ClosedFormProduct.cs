using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Kernels;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>What <see cref="ClosedFormStrategy"/> keeps of a vertex for the sweep: the inputs, the prediction and what a keeping
/// closed form kept of its forward pass (<see cref="IKeepingClosedForm"/>), without a graph.</summary>
internal sealed class ClosedFormProduct(PcnModel model, Vertex vertex, IClosedForm closedForm, bool[] wanted, List<Tensor?> inputs,
    Tensor prediction, Tensor[]? kept, List<Tensor> owned, IReadOnlyDictionary<string, Tensor> parameterRoots) : ILocalProduct
{
    private readonly List<(Vertex Parent, Tensor Product)> _parentProducts = [];

    /// <summary>
    /// The products for free parents are kept; each parameter's is mapped back to its root and added to the root's
    /// gradient, as autograd's AccumulateGrad adds it (set on the first term, added in place after). Intermediate tensors
    /// are released here, as autograd releases its own inside the backward call.
    /// </summary>
    public void Send(Tensor error, AutogradBatch batch)
    {
        using var scope = NewDisposeScope();
        Tensor?[] products;
        using (no_grad())
            products = kept is null
                ? closedForm.Backward(vertex.Op, inputs, prediction, error, wanted)
                : ((IKeepingClosedForm)closedForm).Backward(vertex.Op, inputs, error, wanted, kept);
        for (int slot = 0; slot < products.Length; slot++)
        {
            if (!wanted[slot]) continue;
            var product = products[slot]
                ?? throw new InvalidOperationException($"vertex '{vertex.Name}': the closed form left out input {slot}");
            bool isError = ReferenceEquals(product, error);
            switch (vertex.Operands[slot])
            {
                // The error itself goes to a parent on a handle of its own (the sums never write into a first term, which
                // spares a copy per bias Add); to a parameter's gradient, which later terms are added to in place, as a copy.
                case Operand.FromVertex { Source: var parent }:
                    _parentProducts.Add((parent, (isError ? error.alias() : product).MoveToOuterDisposeScope()));
                    break;
                case Operand.FromParameter { View: var view }:
                    AddToGradient(parameterRoots[view.Root.Name], model.MapBack(view, isError ? error.clone() : product));
                    break;
            }
        }
    }

    private static void AddToGradient(Tensor root, Tensor term)
    {
        using var _ = no_grad();
        if (root.grad is { } sum) sum.add_(term);
        else root.grad = term;
    }

    public IEnumerable<(Vertex Parent, Tensor Product)> ParentProducts() => _parentProducts;

    public void Dispose()
    {
        prediction.Dispose();
        foreach (var value in kept ?? []) value.Dispose();
        foreach (var input in owned) input.Dispose();
    }
}
