using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// The errors of the fast Z-IL's sweep as they gather: per vertex, the products its readers sent, summed in the order
/// backprop's engine adds a tensor's incoming gradients, which is the order it runs the readers (<see cref="AutogradOrder"/>).
/// The first sum of a vertex is a new tensor; every later term is added to it in place, as autograd's input buffer adds
/// to a gradient it holds alone: the same additions, so the same bits, without a new tensor per term (a DenseNet's feature
/// map takes one from every later layer of its block). A first term is kept as it came and never added to, since it may
/// view another vertex's error (Concat's narrows, an Add's whole error).
/// <para>
/// The order matters beyond the rounding of three or more terms: a sum takes the memory layout of its first term, and a
/// reduction downstream (a bias's sum over batch and positions) adds in the order that layout gives. The sweep meets the
/// readers level by level, which is the engine's order along a chain; where it is not (two branches, the shorter one
/// reached first by level, the one created last run first by the engine), the terms that come early wait, and are added in
/// the engine's order when the vertex's turn comes.
/// </para>
/// </summary>
internal sealed class ErrorSums
{
    private readonly AutogradOrder _order;
    private readonly Dictionary<Vertex, Tensor> _sums = [];
    private readonly HashSet<Vertex> _owned = [];
    private readonly Dictionary<Vertex, int> _readersAdded = [];
    private readonly Dictionary<Vertex, List<(Vertex Reader, Tensor Term)>> _waiting = [];

    public ErrorSums(PcGraph graph, Tensor outputError)
    {
        _order = AutogradOrder.Of(graph);
        _sums[graph.TrainingOutput] = outputError;
    }

    /// <summary>Adds <paramref name="term"/>, which <paramref name="reader"/> sent and the sums then own, to
    /// <paramref name="vertex"/>'s error: now where the engine's order allows, else when the vertex's turn comes.</summary>
    public void Add(Vertex vertex, Tensor term, Vertex reader)
    {
        if (_waiting.TryGetValue(vertex, out var waiting))
        {
            waiting.Add((reader, term));
            return;
        }
        if (!_order.ReadersInOrder.TryGetValue(vertex, out var readers))
        {
            Sum(vertex, term);
            return;
        }
        int added = _readersAdded.GetValueOrDefault(vertex);
        if (added < readers.Length && readers[added] == reader) _readersAdded[vertex] = added + 1;
        // A reader may send the vertex several terms (it reads the value twice), one after the other.
        else if (added == 0 || readers[added - 1] != reader)
        {
            _waiting[vertex] = [(reader, term)];
            return;
        }
        Sum(vertex, term);
    }

    /// <summary>The vertex's error, complete: its turn in the sweep has come, and every reader has sent its terms.</summary>
    public bool TryGetComplete(Vertex vertex, out Tensor error)
    {
        if (_waiting.Remove(vertex, out var waiting))
            foreach (var (_, term) in waiting.OrderBy(w => _order.Rank.GetValueOrDefault(w.Reader, int.MaxValue))) Sum(vertex, term);
        return _sums.TryGetValue(vertex, out error!);
    }

    /// <summary>
    /// What the vertex's readers have sent so far, summed in the order they came (a levelling copy's error, which only an
    /// observer asks for, `verify --dump`), handed to <paramref name="observe"/> for the call only; nothing where none came.
    /// </summary>
    public void ObservePartial(Vertex vertex, Action<Tensor> observe)
    {
        bool summed = _sums.TryGetValue(vertex, out var sum);
        if (!_waiting.TryGetValue(vertex, out var waiting))
        {
            if (summed) observe(sum!);
            return;
        }
        using var scope = NewDisposeScope();
        var partial = summed ? sum!.clone() : waiting[0].Term.clone();
        foreach (var (_, term) in waiting.Skip(summed ? 0 : 1)) partial.PlusInPlace(term);
        observe(partial);
    }

    /// <summary>Takes the vertex's error out of the sums (its turn in the sweep has come); the caller owns it.</summary>
    public bool Remove(Vertex vertex, out Tensor error)
    {
        _owned.Remove(vertex);
        return _sums.Remove(vertex, out error!);
    }

    private void Sum(Vertex vertex, Tensor term)
    {
        if (!_sums.TryGetValue(vertex, out var sum)) _sums[vertex] = term;
        else if (_owned.Contains(vertex))
        {
            sum.PlusInPlace(term);
            term.Dispose();
        }
        else
        {
            _sums[vertex] = sum.Plus(term);
            _owned.Add(vertex);
            sum.Dispose();
            term.Dispose();
        }
    }
}
