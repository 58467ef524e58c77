using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>When the Hebbian update of a vertex's parameters is taken during relaxation.</summary>
public enum UpdateGate
{
    /// <summary>At step d(v) + shift only (Z-IL, C2).</summary>
    Scheduled,
    /// <summary>At every step (an ablation: updates accumulate over all steps).</summary>
    EveryStep,
    /// <summary>After the last step only (classic inference learning).</summary>
    LastStep,
    /// <summary>
    /// No schedule: each error node's latch opens once, when it first turns on (fully autonomous Z-IL,
    /// <see cref="SynapseLatches"/>); inference runs until every latch has opened.
    /// </summary>
    Autonomous,
}

/// <summary>How a parameter read by several vertices (an RNN's W at every time step) takes its terms (docs/algorithms.md rule 3).</summary>
public enum SharedParameterTerms
{
    /// <summary>Each copy contributes its own local term at its own step; the sum is applied after inference.</summary>
    PerCopy,
    /// <summary>An ablation: each copy's term is applied to the weights at once, changing later predictions.</summary>
    Immediate,
    /// <summary>An ablation: at a copy's step, the terms of all copies (dF/dW in full) are taken, whether their turn has come or not.</summary>
    AllCopies,
}

/// <summary>The knobs of the PC dynamics; the defaults are the three Z-IL conditions.</summary>
public sealed record PcDynamicsOptions
{
    /// <summary>Inference rate (C3 requires 1).</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>Standard deviation of noise added to the hidden value nodes at the start (C1 requires 0).</summary>
    public double InitNoise { get; init; }

    /// <summary>Shift of the update schedule, in inference steps (C2 requires 0).</summary>
    public int ScheduleShift { get; init; }

    public UpdateGate Gate { get; init; } = UpdateGate.Scheduled;

    /// <summary>Inference steps; null means depth + 1 (+ any positive shift), enough for every scheduled update.</summary>
    public int? Steps { get; init; }

    public long Seed { get; init; }

    public SharedParameterTerms SharedTerms { get; init; } = SharedParameterTerms.PerCopy;

    /// <summary>The step size used to apply terms at once under <see cref="SharedParameterTerms.Immediate"/>.</summary>
    public double ImmediateLearningRate { get; init; }

    /// <summary>
    /// With <see cref="UpdateGate.LastStep"/>: stop relaxing early, at the first step t >= 1 whose energy changed by at
    /// most this fraction of the previous step's, |F_t - F_(t-1)| &lt;= tol * |F_(t-1)|; that step is then the last.
    /// </summary>
    public double? EnergyTolerance { get; init; }

    /// <summary>
    /// With <see cref="UpdateGate.Autonomous"/>: whether a latch also opens when feedback first reaches its error node,
    /// not only when the error turns non-zero. Turning it off is the trap of <see cref="SynapseLatches"/> (an error
    /// that is exactly 0 on arrival); the tests show that it then diverges.
    /// </summary>
    public bool LatchesOpenOnArrival { get; init; } = true;

    /// <summary>Sees every step's energy and terms (the studies); null when nobody watches, and then no energy is computed.</summary>
    public IInferenceObserver? Observer { get; init; }
}

/// <summary>
/// The full predictive-coding dynamics of docs/algorithms.md: at every inference step all predictions, errors
/// and feedback terms are computed from the same state, then every free value node moves by
/// gamma * (-eps_v + sum_c J^T eps_c). Parameters take their Hebbian term when the gate opens. With the
/// default options this is `zil-relaxed`; other options are the ablations and classic IL.
/// </summary>
public sealed class PcDynamics(string name, PcDynamicsOptions options) : IRelaxingRule
{
    public ILearningRule Observed(IInferenceObserver observer) => new PcDynamics(name, options with { Observer = observer });

    public string Name => name;
    public PcDynamicsOptions Options => options;

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss)
    {
        using var scope = NewDisposeScope();
        var graph = model.Graph;
        var free = graph.Vertices.Where(PcGraph.IsFree).ToList();
        var output = graph.TrainingOutput;

        // Value nodes are held as their displacement from the feed-forward prediction, x_v = mu_v^ff + delta_v.
        // The dynamics are unchanged, but the errors, which are tiny next to the activations, are not lost to
        // cancellation in float32: while a vertex's parents sit at their feed-forward values its prediction is
        // bitwise mu_v^ff, so eps_v = delta_v - (mu_v - mu_v^ff) is exactly delta_v.
        var feedForward = model.Forward(batch.Inputs);
        var displacement = free.Where(v => v != output).ToDictionary(v => v, v => zeros_like(feedForward[v]));
        if (options.InitNoise > 0)
        {
            var generator = new TorchSharp.torch.Generator((ulong)options.Seed, model.Device);
            foreach (var (v, d) in displacement.ToList())
                displacement[v] = randn(d.shape, d.dtype, d.device, generator: generator).Times(options.InitNoise);
        }
        Tensor Value(Vertex v) => displacement.TryGetValue(v, out var d) ? feedForward[v].Plus(d) : feedForward[v];

        // Vertices whose value has left its feed-forward prediction; their children's predictions must be recomputed.
        var moved = new HashSet<Vertex>();
        AddNonZero(moved, displacement.Keys.ToList(), displacement);
        bool weightsChange = options.SharedTerms == SharedParameterTerms.Immediate;
        // fa-zil has no schedule: each error node's latch decides on its own, and inference stops once all have opened.
        var latches = options.Gate == UpdateGate.Autonomous ? new SynapseLatches(free, output, options.LatchesOpenOnArrival) : null;
        int steps = options.Steps ?? latches?.StepLimit ?? graph.MaxDepth + 1 + Math.Max(0, options.ScheduleShift);
        bool energyNeeded = options.Observer != null || options.EnergyTolerance != null;
        double previousEnergy = double.NaN;
        int stepsRun = 0;
        var updates = new ParameterAccumulator(model);
        // The weights the predictions read: the model's own, unless the Immediate ablation changes a copy mid-inference.
        var weights = options.SharedTerms == SharedParameterTerms.Immediate
            ? model.Parameters.ToDictionary(p => p.Key, p => p.Value.clone())
            : model.Parameters;
        for (int t = 0; t < steps; t++)
        {
            using var stepScope = NewDisposeScope();
            // Only vertices whose error can be non-zero do any work: the output, and a vertex that has moved or has a
            // moved parent (every vertex once the weights change). Any other has x_v = mu_v = mu_v^ff, so eps_v is
            // exactly 0 and so are all its products: leaving it out changes no number, and saves a recomputation of
            // every prediction at every step (the wave of errors reaches depth t at step t).
            var active = free.Where(v => v == output || weightsChange || moved.Contains(v) || v.VertexInputs.Any(moved.Contains)).ToList();
            var tapes = active.ToDictionary(v => v, v => LocalTape.Record(model, v, Value, name => weights[name]));
            Tensor outputPrediction = feedForward[output];
            var errors = active.ToDictionary(v => v, v =>
            {
                // While no parent has moved (and the weights are the model's own), mu_v is mu_v^ff by definition.
                // Using it, rather than a recomputation that libtorch may round differently when threads are busy,
                // keeps eps_v exactly delta_v up to the vertex's turn.
                bool unchanged = !weightsChange && !v.VertexInputs.Any(moved.Contains);
                var prediction = unchanged ? feedForward[v] : tapes[v].Prediction.detach();
                if (v == output)
                {
                    outputPrediction = prediction;
                    return loss.OutputError(prediction, batch.Targets);
                }
                return unchanged ? displacement[v] : displacement[v] - (prediction - feedForward[v]);
            });
            stepsRun = t + 1;
            double energy = energyNeeded ? Energy(errors, output, loss, outputPrediction, batch.Targets) : double.NaN;
            bool converged = options.EnergyTolerance is { } tolerance && t > 0 &&
                             Math.Abs(energy - previousEnergy) <= tolerance * Math.Abs(previousEnergy);
            previousEnergy = energy;
            bool last = t == steps - 1 || converged;
            latches?.Advance(t, errors);

            // Rule 1: every product of this step from the same state, in one autograd call over the disjoint local tapes.
            var products = LocalTape.Backward(active.Select(v => (tapes[v], errors[v])).ToList());
            var feedback = new Dictionary<Vertex, Tensor>();
            var terms = new List<(Vertex Vertex, ParameterView View, Tensor Term)>();
            for (int k = 0; k < active.Count; k++)
            {
                foreach (var (operand, product) in products[k])
                {
                    if (operand is Operand.FromVertex { Source: var parent })
                        feedback[parent] = feedback.TryGetValue(parent, out var f) ? f.Plus(product) : product;
                    else if (operand is Operand.FromParameter { View: var view })
                        terms.Add((active[k], view, product));
                }
            }
            TakeParameterTerms(model, free, terms, t, last, latches, updates, weights);
            options.Observer?.OnStep(t, energy, terms.Select(term => (term.View, term.Term)).ToList());
            // Nothing after this step can change an update: the last step of il, or every fa-zil latch has opened.
            if (converged || latches is { Pending: 0 }) break;
            var driven = new List<Vertex>();
            foreach (var v in displacement.Keys.ToList())
            {
                Tensor drive;
                if (feedback.TryGetValue(v, out var f)) drive = errors.TryGetValue(v, out var e) ? f - e : f;
                else if (errors.TryGetValue(v, out var e)) drive = -e;
                else continue; // no error and no feedback: the drive is exactly 0 and the value node stays where it is
                var previous = displacement[v];
                // With gamma = 1 (C3) the product is the drive itself, bitwise; the multiplication is skipped.
                displacement[v] = previous.Plus(options.Gamma == 1 ? drive : drive.Times(options.Gamma)).MoveToOuterDisposeScope();
                previous.Dispose();
                if (!moved.Contains(v)) driven.Add(v);
            }
            AddNonZero(moved, driven, displacement);
        }
        var prediction = feedForward[output];
        using var lossValue = loss.Value(prediction, batch.Targets);
        return new RuleResult(updates.MoveToOuterScope(), lossValue.ToDouble(), prediction.MoveToOuterDisposeScope()) { InferenceSteps = stepsRun };
    }

    /// <summary>
    /// F = 1/2 sum over hidden vertices of ||eps_v||^2, plus the loss at the output's current prediction (the output
    /// is clamped through the loss, so its error is -dLoss/d(mu_out) and the loss is its term of F). Vertices that did
    /// no work this step have eps_v = 0 exactly and add nothing.
    /// </summary>
    private static double Energy(Dictionary<Vertex, Tensor> errors, Vertex output, ILoss loss, Tensor outputPrediction, Tensor targets)
    {
        using var scope = NewDisposeScope();
        double sum = 0;
        foreach (var (v, error) in errors)
            if (v != output) sum += error.Squared().sum().ToDouble();
        return sum / 2 + loss.Value(outputPrediction, targets).ToDouble();
    }

    /// <summary>Adds to <paramref name="moved"/> the candidates whose displacement has a non-zero element.</summary>
    private static void AddNonZero(HashSet<Vertex> moved, List<Vertex> candidates, Dictionary<Vertex, Tensor> displacement)
    {
        var nonZero = TensorScalars.HaveNonZero(candidates.Select(v => displacement[v]).ToList());
        for (int i = 0; i < candidates.Count; i++)
            if (nonZero[i]) moved.Add(candidates[i]);
    }

    /// <summary>
    /// Adds the Hebbian terms whose gate is open at this step, as the shared-parameter option says. A vertex that did
    /// no work this step has no terms (they are 0), but under AllCopies its open gate still takes the other copies'.
    /// </summary>
    private void TakeParameterTerms(PcnModel model, List<Vertex> free, List<(Vertex Vertex, ParameterView View, Tensor Term)> terms, int step, bool last,
        SynapseLatches? latches, ParameterAccumulator updates, Dictionary<string, Tensor> weights)
    {
        if (options.SharedTerms == SharedParameterTerms.AllCopies)
        {
            foreach (var vertex in free.Where(v => IsGateOpen(v, step, last, latches)))
                foreach (var view in vertex.Operands.OfType<Operand.FromParameter>().Select(p => p.View))
                    foreach (var (_, otherView, otherTerm) in terms.Where(o => o.View.Root == view.Root)) updates.Add(otherView, otherTerm);
            return;
        }
        foreach (var (vertex, view, term) in terms)
        {
            if (!IsGateOpen(vertex, step, last, latches)) continue;
            updates.Add(view, term);
            if (options.SharedTerms == SharedParameterTerms.Immediate)
                using (no_grad()) weights[view.Root.Name].AddInPlace(model.MapBack(view, term), alpha: options.ImmediateLearningRate);
        }
    }

    private bool IsGateOpen(Vertex v, int step, bool last, SynapseLatches? latches) => options.Gate switch
    {
        UpdateGate.Scheduled => v.Depth + options.ScheduleShift == step,
        UpdateGate.EveryStep => true,
        UpdateGate.LastStep => last,
        UpdateGate.Autonomous => latches!.IsOpen(v),
        _ => false,
    };
}
