using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Kernels;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// A vertex whose operator writes its products out for the vertex's configuration (<see cref="IClosedForm"/>): the
/// forward pass records no graph (in a verified step it runs no kernel either: backprop's recorded value is the
/// prediction, and a keeping closed form's kept values, <see cref="IKeepingClosedForm"/>, are the recording's), it
/// keeps the inputs, and the sweep takes the products from the closed form.
/// </summary>
/// <param name="wanted">Per operand slot, whether it takes a product (a free parent or a parameter).</param>
public sealed class ClosedFormStrategy(IClosedForm closedForm, bool[] wanted) : ILocalStrategy
{
    /// <summary>The closed form where it keeps values of the forward pass, which backprop's recording then keeps for it.</summary>
    public IKeepingClosedForm? Keeping => closedForm as IKeepingClosedForm;

    public (Tensor Value, ILocalProduct? Product) Forward(PcnModel model, Vertex vertex, Func<Vertex, Tensor> parentValue,
        IReadOnlyDictionary<string, Tensor> parameterRoots, RecordedValue? computed)
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
        var (prediction, kept) = Keeping is { } keeping
            ? KeptForward(model, keeping, vertex, inputs, computed)
            : (computed?.Value.detach() ?? LocalPrediction.Of(model, vertex, inputs), null);
        return (prediction.detach(),
            new ClosedFormProduct(model, vertex, closedForm, wanted, inputs, prediction, kept, owned, parameterRoots));
    }

    /// <summary>The recorded value and what the recording kept, on handles of the vertex's own, or else its own forward pass.</summary>
    private static (Tensor Prediction, Tensor[] Kept) KeptForward(PcnModel model, IKeepingClosedForm closedForm, Vertex vertex,
        List<Tensor?> inputs, RecordedValue? computed)
    {
        if (computed is { Kept: { } recordedKept } recorded)
            return (recorded.Value.detach(), [.. recordedKept.Select(value => value.alias())]);
        using var scope = NewDisposeScope();
        var (output, kept) = model.Predict(vertex, inputs, closedForm);
        foreach (var value in kept) value.MoveToOuterDisposeScope();
        return (output.MoveToOuterDisposeScope(), kept);
    }
}
