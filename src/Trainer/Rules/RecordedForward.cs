using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Kernels;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Backprop's forward pass: the value of every vertex that reaches the output, recorded by autograd over the whole graph,
/// which reads every parameter through one leaf of its own (its root). Value for value it is also Z-IL's feed-forward
/// start (C1), which is why a verified Z-IL step records it once for both (<see cref="Zil.ComputeWithWitness"/>).
/// </summary>
public sealed class RecordedForward
{
    private readonly Dictionary<Vertex, Tensor[]> _kept;

    private RecordedForward(Dictionary<string, Tensor> roots, Dictionary<Vertex, Tensor> values, Dictionary<Vertex, Tensor[]> kept,
        Tensor output)
    {
        Roots = roots;
        Values = values;
        _kept = kept;
        Output = output;
    }

    /// <summary>One leaf per stored parameter, read by every vertex through its view.</summary>
    public Dictionary<string, Tensor> Roots { get; }

    /// <summary>The data inputs' values and the value of every vertex that reaches the output, carrying the whole graph.</summary>
    public IReadOnlyDictionary<Vertex, Tensor> Values { get; }

    /// <summary>The training output's value, with its graph.</summary>
    public Tensor Output { get; }

    /// <summary>
    /// The vertex's recorded value, and the values a keeping closed form kept of its forward pass (detached: the graph
    /// is backprop's alone), or null where the vertex has none recorded.
    /// </summary>
    public RecordedValue? For(Vertex vertex) =>
        Values.TryGetValue(vertex, out var value) ? new RecordedValue(value, _kept.GetValueOrDefault(vertex)) : null;

    /// <summary>Records the forward pass on <paramref name="batch"/>; its tensors belong to the caller's dispose scope.</summary>
    /// <param name="keeping">The keeping closed form through which a vertex's forward pass runs, so that the values its
    /// products need are kept (a verified Z-IL step), or null for the kernel's own forward pass.</param>
    public static RecordedForward Of(PcnModel model, Batch batch, Func<Vertex, IKeepingClosedForm?>? keeping = null)
    {
        var roots = model.Parameters.ToDictionary(p => p.Key, p => p.Value.detach().requires_grad_(true));
        var values = new Dictionary<Vertex, Tensor>();
        var kept = new Dictionary<Vertex, Tensor[]>();
        foreach (var v in model.Graph.Vertices)
        {
            if (v.Kind == VertexKind.DataInput) { values[v] = model.DataValue(v, batch.Inputs); continue; }
            if (!v.ReachesOutput) continue;
            // A levelling copy only lines up Z-IL's schedule: here it is its source's tensor itself, with no operation and
            // no autograd node, so DenseNet-121's 3,210 copies cost the forward and backward passes nothing.
            if (v.Kind == VertexKind.Levelling) { values[v] = values[PcGraph.CopiedFrom(v)]; continue; }
            var inputs = model.Inputs(v, u => values[u], view => model.ApplyView(view, roots[view.Root.Name]));
            if (keeping?.Invoke(v) is { } closedForm)
            {
                // The same operations as the kernel's, so backprop's graph is the one the kernel would record.
                (values[v], var keptValues) = model.Predict(v, inputs, closedForm);
                kept[v] = [.. keptValues.Select(value => value.detach())];
            }
            else values[v] = model.Predict(v, inputs);
        }
        return new RecordedForward(roots, values, kept, values[model.Graph.TrainingOutput]);
    }
}

/// <summary>A vertex's value in backprop's recorded forward pass and, for a keeping closed form, what it kept.</summary>
public readonly record struct RecordedValue(Tensor Value, Tensor[]? Kept);
