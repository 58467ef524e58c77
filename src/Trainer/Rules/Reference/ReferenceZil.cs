using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Reference;

/// <summary>
/// Z-IL written out as docs/algorithms.md states it (section "The reference Z-IL"), to be read beside it: value nodes,
/// error nodes, the schedule t = d(v), and each Hebbian term added to its parameter's update in plain sight. It is the
/// executable specification the fast rule (<see cref="Zil"/>) is tested against, and is not offered on the command
/// line. Autograd is used only inside one vertex, for that vertex's local vector-Jacobian products (<see cref="LocalTape"/>).
/// </summary>
/// <param name="scheduleShift">0 for Z-IL. A negative shift is the ablation of C2: every vertex but the output takes its
/// turn that many steps early, before its children's errors have reached it. A late turn is refused: after its turn a
/// value node moves on with its parents, which only the full dynamics compute (<see cref="PcDynamicsOptions.ScheduleShift"/>).</param>
public sealed class ReferenceZil(int scheduleShift = 0) : ILearningRule
{
    public string Name => "zil-reference";

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss)
    {
        if (scheduleShift > 0)
            throw new ArgumentOutOfRangeException(nameof(scheduleShift),
                "the reference computes no state after a vertex's turn; a late schedule needs PcDynamics");
        using var scope = NewDisposeScope();
        var graph = model.Graph;
        var output = graph.TrainingOutput;

        var (mu, tapes) = ForwardPass(model, batch);
        // C1: x_v = mu_v, so every error starts at 0. A value node is held as its displacement dx_v = x_v - mu_v (why: at
        // eq. (2) below). Data (the inputs, vertices computed from data alone) stays clamped and takes no error.
        var free = graph.Vertices.Where(PcGraph.IsFree).ToList();
        var dx = free.ToDictionary(v => v, v => zeros_like(mu[v]));
        // Eq. (3): the output is clamped through the loss, eps_out = -dLoss/d(mu_out).
        var (lossValue, outputError) = loss.ValueAndOutputError(mu[output], batch.Targets);
        // sum_c J_c^T eps_c: what the children of a vertex have sent it, each at its own turn.
        var feedback = new Dictionary<Vertex, Tensor>();
        var updates = model.Parameters.ToDictionary(p => p.Key, p => zeros_like(p.Value));

        for (int t = 0; t <= graph.MaxDepth; t++)
        {
            // C2: at step t the vertices with d(v) = t take their turn, every one from the same state (rule 1).
            var turn = free.Where(v => (v == output ? 0 : v.Depth + scheduleShift) == t).ToList();
            var eps = new Dictionary<Vertex, Tensor>();
            foreach (var v in turn)
            {
                if (v == output) { eps[v] = outputError; continue; }
                // Eq. (4), C3: x_v <- x_v + gamma * (-eps_v + sum_c J_c^T eps_c) with gamma = 1 (the product by 1 left out),
                // where eps_v = dx_v, still 0 (C1).
                var received = feedback.GetValueOrDefault(v) ?? zeros_like(mu[v]);
                dx[v] = dx[v].Plus(received - dx[v]);
                // Eq. (2): eps_v = x_v - mu_v = dx_v, exactly: v's parents (d(u) > d(v)) have not moved, so mu_v is the forward
                // pass's. Subtracting mu_v from mu_v + dx_v would round the error's low bits away (algorithms.md, "The reference Z-IL").
                eps[v] = dx[v];
            }
            foreach (var v in turn)
            {
                // The local products (d g_v / d input)^T eps_v: one autograd call on this vertex's own tape.
                foreach (var (operand, product) in tapes[v].Backward(eps[v]))
                {
                    if (operand is Operand.FromParameter { View: var view })
                        updates[view.Root.Name] = updates[view.Root.Name].Plus(model.MapBack(view, product)); // eq. (5), rules 3 and 4
                    else if (operand is Operand.FromVertex { Source: var parent })
                        feedback[parent] = feedback.TryGetValue(parent, out var sum) ? sum.Plus(product) : product;
                }
            }
        }
        var result = updates.ToDictionary(p => p.Key, p => p.Value.MoveToOuterDisposeScope());
        return new RuleResult(result, lossValue.ToDouble(), mu[output].MoveToOuterDisposeScope());
    }

    /// <summary>Eq. (1), mu_v = g_v(x of v's parents; theta_v) for every vertex, each recorded on a local tape of its own.</summary>
    private static (Dictionary<Vertex, Tensor> Mu, Dictionary<Vertex, LocalTape> Tapes) ForwardPass(PcnModel model, Batch batch)
    {
        var mu = new Dictionary<Vertex, Tensor>();
        var tapes = new Dictionary<Vertex, LocalTape>();
        foreach (var v in model.Graph.Vertices.Where(v => v.ReachesOutput))
        {
            if (v.Kind == VertexKind.DataInput) { mu[v] = model.DataValue(v, batch.Inputs); continue; }
            tapes[v] = LocalTape.Record(model, v, u => mu[u]);
            mu[v] = tapes[v].Prediction.detach();
        }
        return (mu, tapes);
    }
}
