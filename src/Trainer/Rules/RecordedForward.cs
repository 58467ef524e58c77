using ZilOnnx.Converter.Graph;
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
    private RecordedForward(Dictionary<string, Tensor> roots, Dictionary<Vertex, Tensor> values, Tensor output)
    {
        Roots = roots;
        Values = values;
        Output = output;
    }

    /// <summary>One leaf per stored parameter, read by every vertex through its view.</summary>
    public Dictionary<string, Tensor> Roots { get; }

    /// <summary>The data inputs' values and the value of every vertex that reaches the output, carrying the whole graph.</summary>
    public IReadOnlyDictionary<Vertex, Tensor> Values { get; }

    /// <summary>The training output's value, with its graph.</summary>
    public Tensor Output { get; }

    /// <summary>Records the forward pass on <paramref name="batch"/>; its tensors belong to the caller's dispose scope.</summary>
    public static RecordedForward Of(PcnModel model, Batch batch)
    {
        var roots = model.Parameters.ToDictionary(p => p.Key, p => p.Value.detach().requires_grad_(true));
        var values = new Dictionary<Vertex, Tensor>();
        foreach (var v in model.Graph.Vertices)
        {
            if (v.Kind == VertexKind.DataInput) { values[v] = model.DataValue(v, batch.Inputs); continue; }
            if (!v.ReachesOutput) continue;
            // A levelling copy only lines up Z-IL's schedule: here it is its source's tensor itself, with no operation and
            // no autograd node, so DenseNet-121's 3,210 copies cost the forward and backward passes nothing.
            if (v.Kind == VertexKind.Levelling) { values[v] = values[v.VertexInputs.Single()]; continue; }
            values[v] = model.Predict(v, model.Inputs(v, u => values[u], view => model.ApplyView(view, roots[view.Root.Name])));
        }
        return new RecordedForward(roots, values, values[model.Graph.TrainingOutput]);
    }
}
