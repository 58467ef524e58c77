using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// One vertex's prediction recorded with its own inputs as autograd leaves: the free parents' values and the
/// parameters it reads. Backward through it is the vertex's local vector-Jacobian product and nothing more;
/// no autograd graph ever spans two vertices (parameter roots shared by several tapes, see
/// <see cref="BackwardAccumulating"/>, are leaves, not vertices).
/// </summary>
public sealed class LocalTape : IDisposable
{
    private readonly List<(int Slot, Tensor Leaf)> _leaves = [];
    private readonly List<Tensor> _roots = [];

    private LocalTape(Vertex vertex, Tensor prediction)
    {
        Vertex = vertex;
        Prediction = prediction;
    }

    public Vertex Vertex { get; }

    /// <summary>Whether <see cref="Backward"/> has anything to compute: the vertex reads a parameter or a free parent.</summary>
    public bool HasLeaves => _leaves.Count > 0 || _roots.Count > 0;

    /// <summary>mu_v, carrying the local graph (none when the vertex has no leaves).</summary>
    public Tensor Prediction { get; private set; }

    /// <summary>Evaluates g_v on the given parent values; parents that are free vertices and all parameters become leaves.</summary>
    /// <param name="parameterValue">The stored tensor of a parameter by name; the model's own when null.</param>
    /// <param name="parameterRoots">Leaves shared by every tape of a step, one per parameter: the vertex reads its
    /// parameters through their views from these instead of leaves of its own, and its terms are left to
    /// accumulate on them (<see cref="BackwardAccumulating"/>).</param>
    public static LocalTape Record(PcnModel model, Vertex vertex, Func<Vertex, Tensor> parentValue, Func<string, Tensor>? parameterValue = null,
        IReadOnlyDictionary<string, Tensor>? parameterRoots = null)
    {
        parameterValue ??= name => model.Parameters[name];
        var roots = new List<Tensor>();
        var leaves = new List<(int, Tensor)>();
        var inputs = new List<Tensor?>();
        for (int slot = 0; slot < vertex.Operands.Count; slot++)
        {
            switch (vertex.Operands[slot])
            {
                case Operand.FromVertex { Source: var parent } when PcGraph.IsFree(parent):
                    inputs.Add(Leaf(parentValue(parent), slot, leaves));
                    break;
                case Operand.FromVertex { Source: var input }:
                    inputs.Add(parentValue(input));
                    break;
                case Operand.FromParameter { View: var view } when parameterRoots != null:
                    var root = parameterRoots[view.Root.Name];
                    if (!roots.Contains(root)) roots.Add(root);
                    inputs.Add(model.ApplyView(view, root));
                    break;
                case Operand.FromParameter { View: var view }:
                    using (no_grad()) inputs.Add(Leaf(model.ApplyView(view, parameterValue(view.Root.Name)), slot, leaves));
                    break;
                default:
                    inputs.Add(model.StaticValue(vertex.Operands[slot]));
                    break;
            }
        }
        Tensor prediction = leaves.Count > 0 || roots.Count > 0 ? Predict(model, vertex, inputs) : WithoutGrad(model, vertex, inputs);
        var tape = new LocalTape(vertex, prediction);
        tape._leaves.AddRange(leaves);
        tape._roots.AddRange(roots);
        return tape;
    }

    /// <summary>
    /// The local vector-Jacobian products J^T eps for every leaf: what this vertex feeds back to each free
    /// parent, and (dg/dtheta)^T eps for each parameter it reads. The tape can be used once.
    /// </summary>
    public IEnumerable<(Operand Operand, Tensor Product)> Backward(Tensor error) => Backward([(this, error)])[0];

    /// <summary>
    /// <see cref="Backward(Tensor)"/> for several tapes at once (the vertices of one inference step), in one call to
    /// autograd: the tapes' graphs are disjoint, so every product is the one its own tape gives alone, bitwise,
    /// and the fixed cost of an autograd call (about 15 us) is paid once per step rather than once per vertex.
    /// </summary>
    public static List<(Operand Operand, Tensor Product)>[] Backward(IReadOnlyList<(LocalTape Tape, Tensor Error)> tapes)
    {
        var results = tapes.Select(_ => new List<(Operand, Tensor)>()).ToArray();
        var used = tapes.Where(t => t.Tape._leaves.Count > 0).ToList();
        if (used.Count == 0) return results;
        var leaves = used.SelectMany(t => t.Tape._leaves.Select(l => l.Leaf)).ToList();
        var products = autograd.grad(used.Select(t => t.Tape.Prediction).ToList(), leaves, used.Select(t => t.Error).ToList(), allow_unused: true);
        int next = 0;
        for (int k = 0; k < tapes.Count; k++)
            foreach (var (slot, leaf) in tapes[k].Tape._leaves)
            {
                var product = products[next++];
                results[k].Add((tapes[k].Tape.Vertex.Operands[slot], product.Defined() ?? zeros_like(leaf)));
            }
        return results;
    }

    /// <summary>
    /// The products of several tapes recorded on shared parameter roots (the vertices of one inference step), in one
    /// backward call: what each feeds back to its free parents is returned, and each parameter term is added by
    /// autograd to its root's gradient, so a parameter read by many vertices (an RNN's weights at every time step) sums
    /// its copies' terms where backprop sums them, in the order the copies take their turns, and no term is handed to
    /// .NET only to be added there.
    /// </summary>
    public static List<(Operand Operand, Tensor Product)>[] BackwardAccumulating(IReadOnlyList<(LocalTape Tape, Tensor Error)> tapes)
    {
        var results = tapes.Select(_ => new List<(Operand, Tensor)>()).ToArray();
        var used = tapes.Where(t => t.Tape.HasLeaves).ToList();
        if (used.Count == 0) return results;
        // The tapes' leaves and the roots are the only tensors in their graphs that require a gradient, so the engine is
        // not given them as inputs: it would walk each graph once more to mark what they need.
        autograd.backward(used.Select(t => t.Tape.Prediction).ToList(), used.Select(t => t.Error).ToList(), null, false, null);
        for (int k = 0; k < tapes.Count; k++)
            foreach (var (slot, leaf) in tapes[k].Tape._leaves)
                results[k].Add((tapes[k].Tape.Vertex.Operands[slot], leaf.grad is { } product ? product : zeros_like(leaf)));
        return results;
    }

    private static Tensor Leaf(Tensor value, int slot, List<(int, Tensor)> leaves)
    {
        var leaf = value.detach().requires_grad_(true);
        leaves.Add((slot, leaf));
        return leaf;
    }

    private static Tensor WithoutGrad(PcnModel model, Vertex vertex, List<Tensor?> inputs)
    {
        using var _ = no_grad();
        return Predict(model, vertex, inputs);
    }

    /// <summary>
    /// g_v in a dispose scope of its own: the kernel's intermediate tensors are released as soon as the prediction
    /// exists (what the backward pass needs of them, autograd keeps), so they do not pile up until the end of the step.
    /// </summary>
    private static Tensor Predict(PcnModel model, Vertex vertex, List<Tensor?> inputs)
    {
        using var scope = NewDisposeScope();
        var prediction = model.Predict(vertex, inputs);
        // Tensor.Equals compares values, so the kernel returning one of its inputs is checked by reference.
        return inputs.Any(input => ReferenceEquals(input, prediction)) ? prediction : prediction.MoveToOuterDisposeScope();
    }

    /// <summary>Releases the prediction, its local graph and the leaves (the values they view stay with their owners).</summary>
    public void Dispose()
    {
        Prediction.Dispose();
        foreach (var (_, leaf) in _leaves) leaf.Dispose();
    }
}
