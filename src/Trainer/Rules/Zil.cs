using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Z-IL with the schedule of docs/algorithms.md C2, computing at inference step t only what changes at t: the vertices
/// with d(v) = t pass their errors to their parents (whose value nodes then hold their BP errors at t + 1)
/// and take their Hebbian parameter updates. With C1 (feed-forward start) and C3 (gamma = 1), a value
/// node's update x_u = mu_u + sum_c J^T eps_c makes eps_u exactly that sum, so only the sums are kept.
/// One forward pass with per-vertex local tapes and one sweep over the schedule: the cost of BP.
/// </summary>
public sealed class Zil : ILearningRule
{
    public string Name => "zil";

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss)
    {
        using var scope = NewDisposeScope();
        var graph = model.Graph;
        // One leaf per parameter, read by every vertex through its view: each copy's term is added on it by autograd.
        var roots = model.Parameters.ToDictionary(p => p.Key, p => p.Value.detach().requires_grad_(true));
        var values = new Dictionary<Vertex, Tensor>();
        var tapes = new Dictionary<Vertex, LocalTape>();
        // Vertices whose Jacobian is the identity on every parent: their error is handed on without a tape.
        var passingWhole = new HashSet<Vertex>();
        foreach (var v in graph.Vertices)
        {
            if (v.Kind == VertexKind.DataInput) values[v] = model.DataValue(v, batch.Inputs);
            else if (IsCopy(v))
            {
                values[v] = values[v.VertexInputs.Single()].alias();
                passingWhole.Add(v);
            }
            else if (PcGraph.IsFree(v) && UntapedSum(model, v, values) is { } sum)
            {
                values[v] = sum;
                passingWhole.Add(v);
            }
            else if (v.ReachesOutput)
            {
                var tape = LocalTape.Record(model, v, u => values[u], parameterRoots: roots);
                if (tape.HasLeaves) tapes[v] = tape;
                values[v] = tape.Prediction.detach();
            }
        }

        var output = values[graph.TrainingOutput];
        var (lossValue, outputError) = loss.ValueAndOutputError(output, batch.Targets);
        // The tapes hold what the backward sweep needs; the value nodes' own handles can go.
        foreach (var (v, value) in values)
            if (v.Kind != VertexKind.DataInput && v != graph.TrainingOutput) value.Dispose();

        // Each error, tape and product is released as soon as it has been used, as autograd releases BP's
        // intermediate gradients, so the sweep works in memory that stays warm instead of growing until the end.
        var errors = new Dictionary<Vertex, Tensor> { [graph.TrainingOutput] = outputError };
        var levels = graph.Vertices.Where(v => tapes.ContainsKey(v) || passingWhole.Contains(v)).GroupBy(v => v.Depth).OrderBy(g => g.Key);
        foreach (var level in levels)
        {
            // Inference step t: every vertex with d(v) = t sends J^T eps_v to its parents and takes its Hebbian term.
            var due = level.Where(v => tapes.ContainsKey(v) && errors.ContainsKey(v)).Select(v => (tapes[v], errors[v])).ToList();
            var products = LocalTape.BackwardAccumulating(due).Select((p, k) => (due[k].Item1.Vertex, p)).ToDictionary();
            // Errors are summed in the vertices' order, whether a vertex hands its error on with a tape or whole, so that they round alike.
            foreach (var v in level)
            {
                if (passingWhole.Contains(v))
                {
                    // A levelling copy or a sum of same-shaped terms: the error passes to each parent as it is.
                    if (errors.Remove(v, out var passed)) PassWhole(errors, v, passed);
                    continue;
                }
                if (products.TryGetValue(v, out var own))
                    foreach (var (operand, product) in own)
                        if (operand is Operand.FromVertex { Source: var parent }) Accumulate(errors, parent, product);
                if (errors.Remove(v, out var error)) error.Dispose();
                tapes[v].Dispose();
            }
        }
        // The terms were mapped back through each copy's view (rule 4) and summed over the copies (rule 3) on the roots.
        var updates = roots.ToDictionary(r => r.Key, r => (r.Value.grad ?? zeros_like(r.Value)).MoveToOuterDisposeScope());
        return new RuleResult(updates, lossValue.ToDouble(), output.MoveToOuterDisposeScope());
    }

    /// <summary>A levelling vertex: an identity copy, whose value is its source's and whose error its source takes whole.</summary>
    private static bool IsCopy(Vertex v) => v.Kind == VertexKind.Levelling && v.ReachesOutput;

    /// <summary>
    /// The value of an Add of vertices that all have its shape, or null for any other vertex. Its local vector-Jacobian
    /// product is the error itself for each term (autograd's AddBackward hands the incoming gradient on as it is), so
    /// it needs no tape and no autograd call: a residual join costs Z-IL no backward work. With broadcasting, the
    /// products are reductions and the vertex takes a tape like any other.
    /// </summary>
    private static Tensor? UntapedSum(PcnModel model, Vertex v, Dictionary<Vertex, Tensor> values)
    {
        if (v.Op is not AddSpec || !v.Operands.All(o => o is Operand.FromVertex)) return null;
        var terms = v.VertexInputs.Select(u => values[u]).ToList();
        if (!terms.All(t => t.shape.SequenceEqual(terms[0].shape))) return null;
        using var _ = no_grad();
        return model.Predict(v, terms);
    }

    /// <summary>Hands <paramref name="error"/> to each free parent of <paramref name="v"/>, in operand order, as the tapes' products would come.</summary>
    private static void PassWhole(Dictionary<Vertex, Tensor> errors, Vertex v, Tensor error)
    {
        var parents = v.VertexInputs.Where(PcGraph.IsFree).ToList();
        if (parents.Count == 0) error.Dispose();
        for (int i = 0; i < parents.Count; i++)
            Accumulate(errors, parents[i], i == parents.Count - 1 ? error : error.alias());
    }

    private static void Accumulate(Dictionary<Vertex, Tensor> errors, Vertex parent, Tensor product)
    {
        if (!errors.TryGetValue(parent, out var sum)) { errors[parent] = product; return; }
        errors[parent] = sum.Plus(product);
        sum.Dispose();
        product.Dispose();
    }
}
