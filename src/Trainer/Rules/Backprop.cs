using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>Autograd over the whole graph: the reference every other rule is verified against.</summary>
public sealed class Backprop : ILearningRule
{
    public string Name => "bp";

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss)
    {
        using var scope = NewDisposeScope();
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
        var output = values[model.Graph.TrainingOutput];
        var lossValue = loss.Value(output, batch.Targets);
        var names = roots.Keys.ToList();
        // The update is -dLoss/dtheta: differentiating with an output gradient of -1 negates every product on the way,
        // exactly (each backward operation is linear in the gradient it receives), instead of negating each result.
        using var minusOne = ones([], lossValue.dtype, lossValue.device).neg_();
        var gradients = Gradients.Of([lossValue], names.Select(n => roots[n]).ToList(), [minusOne]);
        var updates = new Dictionary<string, Tensor>();
        for (int i = 0; i < names.Count; i++)
            updates[names[i]] = (gradients[i] ?? zeros_like(roots[names[i]])).MoveToOuterDisposeScope();
        return new RuleResult(updates, lossValue.ToDouble(), output.detach().MoveToOuterDisposeScope());
    }
}
