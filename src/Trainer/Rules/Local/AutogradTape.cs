using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// A vertex whose products come from autograd: its prediction is recorded with its free parents' values as leaves of its
/// own and its parameters as views of the shared roots, so backward through it is its local vector-Jacobian product and
/// nothing more (no graph spans two vertices; the roots are leaves). The tapes of one inference step run backward in
/// one call (<see cref="AutogradBatch"/>).
/// </summary>
public sealed class AutogradTape : ILocalStrategy
{
    public static readonly AutogradTape Instance = new();

    private AutogradTape() { }

    public (Tensor Value, ILocalProduct? Product) Forward(PcnModel model, Vertex vertex, Func<Vertex, Tensor> parentValue,
        IReadOnlyDictionary<string, Tensor> parameterRoots, RecordedValue? computed)
    {
        // The tape needs the vertex's own graph, on leaves of its own, so a computed value does not spare the kernel.
        var leaves = new List<(Vertex, Tensor)>();
        var inputs = model.Inputs(vertex,
            (_, parent) =>
            {
                if (!PcGraph.IsFree(parent)) return parentValue(parent);
                var leaf = LocalPrediction.Leaf(parentValue(parent));
                leaves.Add((parent, leaf));
                return leaf;
            },
            (_, view) => model.ApplyView(view, parameterRoots[view.Root.Name]));
        var prediction = LocalPrediction.Of(model, vertex, inputs);
        return (prediction.detach(), new Recorded(vertex, prediction, leaves));
    }

    private sealed class Recorded(Vertex vertex, Tensor prediction, List<(Vertex Parent, Tensor Leaf)> leaves) : ILocalProduct
    {
        public void Send(Tensor error, AutogradBatch batch) => batch.Add(vertex, prediction, error);

        /// <summary>Each leaf's gradient, which the step's autograd call left there (zeros where the prediction does not depend on
        /// it).</summary>
        public IEnumerable<(Vertex Parent, Tensor Product)> ParentProducts() =>
            leaves.Select(l => (l.Parent, l.Leaf.grad is { } product ? product : zeros_like(l.Leaf))).ToList();

        /// <summary>Releases the prediction, its local graph and the leaves (the values they view stay with their owners).</summary>
        public void Dispose()
        {
            prediction.Dispose();
            foreach (var (_, leaf) in leaves) leaf.Dispose();
        }
    }
}
