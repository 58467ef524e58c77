using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// The local gate phi of fully autonomous Z-IL (`fa-zil`, docs/algorithms.md): one latch per error node, read by
/// every synapse (parameter operand) whose post-synaptic vertex it belongs to. It opens once, at the first inference
/// step at which the error node turns on, and is closed at every step after. No depth and no global clock enter it.
///
/// An error node turns on when it first holds a non-zero error, or when feedback first reaches it, whichever comes
/// first. Feedback reaching a vertex is the arrival of its children's error messages: a child whose own latch has
/// opened sends J^T eps to it, so the vertex has been reached at the next step. The second clause is what keeps
/// the latch exact when an error is zero by coincidence on arrival (every unit of a layer dead under ReLU for the
/// batch, an output that already equals its target): a latch watching the value alone would stay shut and open at
/// some later step, once the moving parents make the prediction differ from the value, and take a term BP never
/// has. With the second clause it opens on arrival, takes the (zero) term, and closes. The latch is one per error
/// node, not one per element, for the same reason: a single unit whose BP error is 0 would otherwise open later.
/// </summary>
internal sealed class SynapseLatches
{
    private readonly Vertex _output;
    private readonly Dictionary<Vertex, List<Vertex>> _children;
    private readonly HashSet<Vertex> _closed = [];
    private HashSet<Vertex> _open = [];

    private readonly bool _openOnArrival;

    public SynapseLatches(IReadOnlyList<Vertex> free, Vertex output, bool openOnArrival = true)
    {
        _output = output;
        _openOnArrival = openOnArrival;
        _children = free.ToDictionary(v => v, _ => new List<Vertex>());
        foreach (var child in free)
            foreach (var parent in child.VertexInputs.Distinct())
                if (_children.TryGetValue(parent, out var list)) list.Add(child);
        Pending = free.Count;
    }

    /// <summary>Error nodes whose latch has not opened yet. When none is left, no synapse can take a term any more.</summary>
    public int Pending { get; private set; }

    /// <summary>
    /// A bound on the steps before every latch has opened: the wave of feedback reaches at least one more vertex per
    /// step, so it cannot take more steps than there are vertices. Only a safety net; the rule stops when
    /// <see cref="Pending"/> reaches 0.
    /// </summary>
    public int StepLimit => _children.Count + 1;

    /// <summary>
    /// Decides which latches open at this step from the step's errors (computed for the vertices that did work; any
    /// other vertex's error is exactly 0) and from which neighbours opened before. Call once per step, before
    /// <see cref="IsOpen"/>.
    /// </summary>
    public void Advance(int step, IReadOnlyDictionary<Vertex, Tensor> errors)
    {
        _closed.UnionWith(_open);
        _open = [];
        var unreached = new List<Vertex>();
        foreach (var v in _children.Keys)
        {
            if (_closed.Contains(v)) continue;
            // The clamped output is reached by its target at step 0; any other vertex by its children's messages.
            bool reached = _openOnArrival && (v == _output ? step == 0 : _children[v].Any(_closed.Contains));
            if (reached) _open.Add(v);
            else if (errors.ContainsKey(v)) unreached.Add(v);
        }
        // The others open when their error has turned non-zero, read for all of them in one round-trip.
        var nonZero = TensorScalars.HaveNonZero(unreached.Select(v => errors[v]).ToList());
        for (int i = 0; i < unreached.Count; i++)
            if (nonZero[i]) _open.Add(unreached[i]);
        Pending -= _open.Count;
    }

    /// <summary>Whether the synapses of vertex v (its parameter operands) take their Hebbian term at this step.</summary>
    public bool IsOpen(Vertex v) => _open.Contains(v);
}
