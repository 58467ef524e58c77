using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Kernels;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// A vertex whose operator writes its products out for the vertex's configuration (<see cref="IClosedForm"/>): the
/// forward pass records no graph (in a verified step it runs no kernel either: backprop's recorded value is the
/// prediction, but for a closed form that keeps values of its own forward pass, <see cref="IKeepingClosedForm"/>), it
/// keeps the inputs, and the sweep takes the products from the closed form.
/// </summary>
/// <param name="wanted">Per operand slot, whether it takes a product (a free parent or a parameter).</param>
public sealed class ClosedFormStrategy(IClosedForm closedForm, bool[] wanted) : ILocalStrategy
{
    public (Tensor Value, ILocalProduct? Product) Forward(PcnModel model, Vertex vertex, Func<Vertex, Tensor> parentValue,
        IReadOnlyDictionary<string, Tensor> parameterRoots, Tensor? computed)
    {
        using var _ = no_grad();
        // The parents' values on handles of the vertex's own: their owners release theirs after the forward pass.
        var owned = new List<Tensor>();
        var inputs = model.Inputs(vertex,
            (_, parent) =>
            {
                var value = parentValue(parent).alias();
                owned.Add(value);
                return value;
            },
            (_, view) => model.ApplyView(view, parameterRoots[view.Root.Name]));
        // A keeping closed form runs its own forward pass even where backprop's recorded one has the value: what it keeps
        // exists only inside backprop's graph.
        var (prediction, kept) = closedForm is IKeepingClosedForm keeping
            ? Keeping(keeping, vertex, inputs)
            : (computed?.detach() ?? LocalPrediction.Of(model, vertex, inputs), null);
        return (prediction.detach(),
            new ClosedFormProduct(model, vertex, closedForm, wanted, inputs, prediction, kept, owned, parameterRoots));
    }

    private static (Tensor Prediction, Tensor[] Kept) Keeping(IKeepingClosedForm closedForm, Vertex vertex, List<Tensor?> inputs)
    {
        using var scope = NewDisposeScope();
        var (output, kept) = closedForm.Forward(vertex.Op, inputs);
        foreach (var value in kept) value.MoveToOuterDisposeScope();
        return (output.MoveToOuterDisposeScope(), kept);
    }
}
