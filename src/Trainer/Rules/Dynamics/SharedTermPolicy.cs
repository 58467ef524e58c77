using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Dynamics;

/// <summary>
/// How a parameter read by several vertices (an RNN's W at every time step) takes its copies' terms
/// (<see cref="SharedParameterTerms"/>, docs/algorithms.md rule 3), and so which weights the predictions read.
/// </summary>
internal sealed class SharedTermPolicy
{
    private readonly PcnModel _model;
    private readonly SharedParameterTerms _mode;
    private readonly double _immediateLearningRate;

    public SharedTermPolicy(PcnModel model, PcDynamicsOptions options)
    {
        _model = model;
        _mode = options.SharedTerms;
        _immediateLearningRate = options.ImmediateLearningRate;
        // The model's own weights, unless the Immediate ablation changes a copy mid-inference.
        Weights = WeightsChange ? model.Parameters.ToDictionary(p => p.Key, p => p.Value.clone()) : model.Parameters;
    }

    /// <summary>The weights the predictions read, by parameter name.</summary>
    public Dictionary<string, Tensor> Weights { get; }

    /// <summary>Whether the weights move during inference, so that every prediction must be recomputed at every step.</summary>
    public bool WeightsChange => _mode == SharedParameterTerms.Immediate;

    /// <summary>
    /// Adds the Hebbian terms whose gate is open at this step. A vertex that did no work this step has no terms (they
    /// are 0), but under AllCopies its open gate still takes the other copies'.
    /// </summary>
    /// <param name="free">Every free vertex, whether it did work this step or not.</param>
    public void Take(IReadOnlyList<(Vertex Vertex, ParameterView View, Tensor Term)> terms, IEnumerable<Vertex> free, Func<Vertex,
        bool> isOpen,
        ParameterAccumulator updates)
    {
        if (_mode == SharedParameterTerms.AllCopies)
        {
            foreach (var vertex in free.Where(isOpen))
                foreach (var view in vertex.Operands.OfType<Operand.FromParameter>().Select(p => p.View))
                    foreach (var (_, otherView, otherTerm) in terms.Where(o => o.View.Root == view.Root)) updates.Add(otherView, otherTerm);
            return;
        }
        foreach (var (vertex, view, term) in terms)
        {
            if (!isOpen(vertex)) continue;
            updates.Add(view, term);
            if (WeightsChange)
                using (no_grad()) Weights[view.Root.Name].AddInPlace(_model.MapBack(view, term), alpha: _immediateLearningRate);
        }
    }
}
