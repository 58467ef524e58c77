using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules.Local;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// One vertex's prediction recorded with its own inputs as autograd leaves: the free parents' values and the
/// parameters it reads. Backward through it is the vertex's local vector-Jacobian product and nothing more; no
/// autograd graph ever spans two vertices. This is the tape of the relaxed dynamics (<see cref="PcDynamics"/>), which
/// hands every product, parameter terms included, back to the rule; the fast Z-IL takes its products through the
/// strategies of <see cref="LocalStrategies"/>.
/// </summary>
public sealed class LocalTape : IDisposable
{
    private readonly List<(int Slot, Tensor Leaf)> _leaves;

    private LocalTape(Vertex vertex, Tensor prediction, List<(int, Tensor)> leaves)
    {
        Vertex = vertex;
        Prediction = prediction;
        _leaves = leaves;
    }

    public Vertex Vertex { get; }

    /// <summary>mu_v, carrying the local graph (none when the vertex has no leaves).</summary>
    public Tensor Prediction { get; }

    /// <summary>Evaluates g_v on the given parent values; parents that are free vertices and all parameters become leaves.</summary>
    /// <param name="parameterValue">The stored tensor of a parameter by name; the model's own when null.</param>
    public static LocalTape Record(PcnModel model, Vertex vertex, Func<Vertex, Tensor> parentValue, Func<string,
        Tensor>? parameterValue = null)
    {
        parameterValue ??= name => model.Parameters[name];
        var leaves = new List<(int, Tensor)>();
        Tensor Leaf(int slot, Tensor value)
        {
            var leaf = LocalPrediction.Leaf(value);
            leaves.Add((slot, leaf));
            return leaf;
        }
        var inputs = model.Inputs(vertex,
            (slot, parent) => PcGraph.IsFree(parent) ? Leaf(slot, parentValue(parent)) : parentValue(parent),
            (slot, view) =>
            {
                using var _ = no_grad();
                return Leaf(slot, model.ApplyView(view, parameterValue(view.Root.Name)));
            });
        var prediction = leaves.Count > 0 ? LocalPrediction.Of(model, vertex, inputs) : LocalPrediction.WithoutGraph(model, vertex, inputs);
        return new LocalTape(vertex, prediction, leaves);
    }

    /// <summary>
    /// The local vector-Jacobian products J^T eps for every leaf: what this vertex feeds back to each free
    /// parent, and (dg/dtheta)^T eps for each parameter it reads. The tape can be used once.
    /// </summary>
    public IEnumerable<(Operand Operand, Tensor Product)> Backward(Tensor error) => Backward([(this, error)])[0];

    /// <summary>
    /// <see cref="Backward(Tensor)"/> for several tapes at once (the vertices of one inference step), in one call to
    /// autograd: the tapes' graphs are disjoint, so every product is the one its own tape gives alone, bitwise,
    /// and the fixed cost of an autograd call is paid once per step rather than once per vertex.
    /// </summary>
    public static List<(Operand Operand, Tensor Product)>[] Backward(IReadOnlyList<(LocalTape Tape, Tensor Error)> tapes)
    {
        var results = tapes.Select(_ => new List<(Operand, Tensor)>()).ToArray();
        var used = tapes.Where(t => t.Tape._leaves.Count > 0).ToList();
        if (used.Count == 0) return results;
        var leaves = used.SelectMany(t => t.Tape._leaves.Select(l => l.Leaf)).ToList();
        var products = Gradients.Of(used.Select(t => t.Tape.Prediction).ToList(), leaves, used.Select(t => t.Error).ToList());
        int next = 0;
        for (int k = 0; k < tapes.Count; k++)
            foreach (var (slot, leaf) in tapes[k].Tape._leaves)
                results[k].Add((tapes[k].Tape.Vertex.Operands[slot], products[next++] ?? zeros_like(leaf)));
        return results;
    }

    /// <summary>Releases the prediction, its local graph and the leaves (the values they view stay with their owners).</summary>
    public void Dispose()
    {
        Prediction.Dispose();
        foreach (var (_, leaf) in _leaves) leaf.Dispose();
    }
}
