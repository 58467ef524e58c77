using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// One vertex's prediction recorded with its own inputs as autograd leaves: the free parents' values and the
/// parameters it reads. Backward through it is the vertex's local vector-Jacobian product and nothing more;
/// no autograd graph ever spans two vertices (parameter roots shared by several tapes, see
/// <see cref="BackwardAccumulating"/>, are leaves, not vertices). A vertex whose kernel writes its products out
/// (<see cref="IClosedFormGradient"/>) records no graph at all when its tape is on shared roots: it keeps its inputs
/// and takes the products from the kernel.
/// </summary>
public sealed class LocalTape : IDisposable
{
    private readonly List<(int Slot, Tensor Leaf)> _leaves = [];
    private readonly List<Tensor> _roots = [];
    private ClosedForm? _closedForm;

    /// <summary>A tape without a graph: the kernel's inputs as Forward read them, which of them take a product, and the roots of those that are parameters.</summary>
    private sealed record ClosedForm(PcnModel Model, IClosedFormGradient Kernel, List<Tensor?> Inputs, bool[] Wanted, Tensor?[] Roots, List<Tensor> Owned);

    private LocalTape(Vertex vertex, Tensor prediction)
    {
        Vertex = vertex;
        Prediction = prediction;
    }

    public Vertex Vertex { get; }

    /// <summary>Whether <see cref="Backward"/> has anything to compute: the vertex reads a parameter or a free parent.</summary>
    public bool HasLeaves => _leaves.Count > 0 || _roots.Count > 0 || _closedForm is { Wanted: var wanted } && wanted.Contains(true);

    /// <summary>Whether the products come from the kernel's closed form rather than from autograd.</summary>
    public bool IsClosedForm => _closedForm != null;

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
        if (parameterRoots != null && RecordClosedForm(model, vertex, parentValue, parameterRoots) is { } closedForm) return closedForm;
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
        var products = Gradients.Of(used.Select(t => t.Tape.Prediction).ToList(), leaves, used.Select(t => t.Error).ToList());
        int next = 0;
        for (int k = 0; k < tapes.Count; k++)
            foreach (var (slot, leaf) in tapes[k].Tape._leaves)
            {
                var product = products[next++];
                results[k].Add((tapes[k].Tape.Vertex.Operands[slot], product ?? zeros_like(leaf)));
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
        for (int k = 0; k < tapes.Count; k++)
            if (tapes[k].Tape._closedForm is { } closedForm) results[k] = tapes[k].Tape.ClosedFormBackward(closedForm, tapes[k].Error);
        var used = tapes.Where(t => t.Tape._closedForm == null && t.Tape.HasLeaves).ToList();
        if (used.Count == 0) return results;
        // The tapes' leaves and the roots are the only tensors in their graphs that require a gradient, so the engine is
        // not given them as inputs: it would walk each graph once more to mark what they need.
        autograd.backward(used.Select(t => t.Tape.Prediction).ToList(), used.Select(t => t.Error).ToList(), null, false, null);
        for (int k = 0; k < tapes.Count; k++)
            foreach (var (slot, leaf) in tapes[k].Tape._leaves)
                results[k].Add((tapes[k].Tape.Vertex.Operands[slot], leaf.grad is { } product ? product : zeros_like(leaf)));
        return results;
    }

    /// <summary>
    /// The tape of a vertex whose kernel covers its configuration in closed form, or null: the prediction evaluated
    /// without a graph, on handles of its own to the free parents' values (their owners release theirs after the
    /// forward pass) and on the parameters' views of their roots.
    /// </summary>
    private static LocalTape? RecordClosedForm(PcnModel model, Vertex vertex, Func<Vertex, Tensor> parentValue, IReadOnlyDictionary<string, Tensor> parameterRoots)
    {
        if (KernelRegistry.For(vertex.Op) is not IClosedFormGradient kernel) return null;
        using var _ = no_grad();
        var inputs = new List<Tensor?>();
        var wanted = new bool[vertex.Operands.Count];
        var roots = new Tensor?[vertex.Operands.Count];
        for (int slot = 0; slot < vertex.Operands.Count; slot++)
        {
            switch (vertex.Operands[slot])
            {
                case Operand.FromVertex { Source: var parent }:
                    inputs.Add(parentValue(parent));
                    wanted[slot] = PcGraph.IsFree(parent);
                    break;
                case Operand.FromParameter { View: var view }:
                    roots[slot] = parameterRoots[view.Root.Name];
                    inputs.Add(model.ApplyView(view, roots[slot]!));
                    wanted[slot] = true;
                    break;
                default:
                    inputs.Add(model.StaticValue(vertex.Operands[slot]));
                    break;
            }
        }
        if (!kernel.Covers(vertex.Op, inputs, wanted)) return null;
        var owned = new List<Tensor>();
        for (int slot = 0; slot < inputs.Count; slot++)
            if (vertex.Operands[slot] is Operand.FromVertex) owned.Add((inputs[slot] = inputs[slot]!.alias())!);
        return new LocalTape(vertex, Predict(model, vertex, inputs)) { _closedForm = new ClosedForm(model, kernel, inputs, wanted, roots, owned) };
    }

    /// <summary>
    /// The closed-form products: those for free parents are returned, each parameter's is mapped back to its root and
    /// added to the root's gradient, as autograd's AccumulateGrad adds it (set on the first term, added in place after).
    /// Intermediate tensors are released here, as autograd releases its own inside the backward call.
    /// </summary>
    private List<(Operand Operand, Tensor Product)> ClosedFormBackward(ClosedForm closedForm, Tensor error)
    {
        using var scope = NewDisposeScope();
        Tensor?[] products;
        using (no_grad()) products = closedForm.Kernel.Backward(Vertex.Op, closedForm.Inputs, Prediction, error, closedForm.Wanted);
        var results = new List<(Operand, Tensor)>();
        for (int slot = 0; slot < products.Length; slot++)
        {
            if (!closedForm.Wanted[slot]) continue;
            var product = products[slot] ?? throw new InvalidOperationException($"vertex '{Vertex.Name}': the closed-form gradient left out input {slot}");
            // A product may be the error itself, passed on unchanged (a Gemm's C of the output's shape): a parent takes a
            // handle of its own, since the sweep disposes the error's, and a root's gradient, added to in place, a copy.
            bool isError = ReferenceEquals(product, error);
            if (Vertex.Operands[slot] is not Operand.FromParameter { View: var view })
            {
                results.Add((Vertex.Operands[slot], (isError ? error.alias() : product).MoveToOuterDisposeScope()));
                continue;
            }
            var term = closedForm.Model.MapBack(view, isError ? error.clone() : product);
            var root = closedForm.Roots[slot]!;
            using var _ = no_grad();
            if (root.grad is { } sum) sum.add_(term);
            else root.grad = term;
        }
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
        if (_closedForm != null) foreach (var input in _closedForm.Owned) input.Dispose();
    }
}
