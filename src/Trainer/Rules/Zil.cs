using System.Diagnostics;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Profiling;
using ZilOnnx.Trainer.Rules.Local;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Z-IL with the schedule of docs/algorithms.md C2, computing at inference step t only what changes at t: the vertices
/// with d(v) = t pass their errors to their parents (whose value nodes then hold their BP errors at t + 1)
/// and take their Hebbian parameter updates. With C1 (feed-forward start) and C3 (gamma = 1), a value
/// node's update x_u = mu_u + sum_c J^T eps_c makes eps_u exactly that sum, so only the sums are kept.
/// One forward pass and one sweep over the schedule, each vertex taking its local product by the strategy chosen for it
/// (<see cref="LocalStrategies"/>): the cost of BP.
/// </summary>
/// <param name="observer">Sees the feed-forward values and the scheduled errors (`verify --dump`), or null.</param>
public sealed class Zil(IScheduleObserver? observer = null) : ILearningRule
{
    public string Name => "zil";

    /// <summary>The same rule, with the observer seeing its value and error nodes.</summary>
    public Zil Observed(IScheduleObserver scheduleObserver) => new(scheduleObserver);

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss)
    {
        using var scope = NewDisposeScope();
        return Step(model, batch, loss, recorded: null);
    }

    /// <summary>
    /// A verified step: Z-IL's update and backprop's on the same batch, from one forward pass. Z-IL's feed-forward start
    /// (C1) is backprop's forward pass value for value, so backprop records it once and Z-IL starts from its values;
    /// what each rule computes after it stays its own. Backprop runs its one autograd call over the whole recorded graph,
    /// and Z-IL takes each vertex's local product by its strategy, on tapes of its own where it needs a graph (whose
    /// kernels it runs again on leaves), so a rule that sent the wrong error or summed in the wrong order still differs
    /// from the witness (docs/algorithms.md, "The verified step").
    /// </summary>
    /// <param name="beside">Run backprop's backward call beside Z-IL's sweep, on a CPU with threads to halve
    /// (<see cref="WitnessBeside"/>), instead of before it.</param>
    public (RuleResult Update, RuleResult Witness) ComputeWithWitness(PcnModel model, Batch batch, ILoss loss, bool beside = false)
    {
        using var scope = NewDisposeScope();
        var strategies = LocalStrategies.For(model.Graph);
        var recorded = RecordedForward.Of(model, batch, v => strategies.GetValueOrDefault(v) is ClosedFormStrategy s ? s.Keeping : null);
        if (beside && WitnessBeside.ThreadsEach(recorded.Output.device_type) is { } threadsEach)
            return WitnessBeside.Run(() => Backprop.Backward(recorded, batch, loss), () => Step(model, batch, loss, recorded), threadsEach,
                scope);
        // Else backprop first: its call frees the recorded graph before Z-IL's sweep makes its products.
        var witness = Backprop.Backward(recorded, batch, loss);
        try
        {
            return (Step(model, batch, loss, recorded), witness);
        }
        catch
        {
            witness.Dispose();
            throw;
        }
    }

    private RuleResult Step(PcnModel model, Batch batch, ILoss loss, RecordedForward? recorded)
    {
        var terms = new ParameterTerms(model);
        var (output, products) = Forward(model, batch, terms, recorded);
        var (lossValue, outputError) = loss.ValueAndOutputError(output, batch.Targets);
        Sweep(model.Graph, products, outputError, terms);
        var updates = terms.Sums();
        return new RuleResult(updates, lossValue.ToDouble(), output.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The feed-forward start (C1): every vertex's value by its strategy, and what each keeps for the sweep; where
    /// <paramref name="recorded"/> is given, its values, which spare the strategies that need no graph their kernels.
    /// </summary>
    private (Tensor Output, Dictionary<Vertex, ILocalProduct> Products) Forward(PcnModel model, Batch batch, ParameterTerms terms,
        RecordedForward? recorded)
    {
        var strategies = LocalStrategies.For(model.Graph);
        var values = new Dictionary<Vertex, Tensor>();
        var products = new Dictionary<Vertex, ILocalProduct>();
        var profile = ProfileOfZil();
        foreach (var v in model.Graph.Vertices)
        {
            if (v.Kind == VertexKind.DataInput) values[v] = recorded?.Values[v] ?? model.DataValue(v, batch.Inputs);
            else if (v.Kind == VertexKind.Levelling)
            {
                // A levelling copy is its source's tensor itself (see Sweep): no operation, no handle of its own.
                if (!values.TryGetValue(PcGraph.CopiedFrom(v), out var source)) continue;
                values[v] = source;
                observer?.OnFeedForwardValue(v, source);
            }
            else if (strategies.TryGetValue(v, out var strategy))
            {
                long start = profile != null ? Stopwatch.GetTimestamp() : 0;
                var computed = recorded?.For(v);
                (values[v], var product) = strategy.Forward(model, v, u => values[u], terms.LeavesOf(v), computed);
                if (product != null) products[v] = product;
                observer?.OnFeedForwardValue(v, values[v]);
                profile?.Add(ProfilePart.ZilForward, v, start);
            }
        }
        var output = model.Graph.TrainingOutput;
        // The products hold what the sweep needs; the value nodes' own handles can go.
        foreach (var (v, value) in values)
            if (v.Kind is not (VertexKind.DataInput or VertexKind.Levelling) && v != output) value.Dispose();
        return (values[output], products);
    }

    /// <summary>
    /// The schedule (C2): at inference step t every vertex with d(v) = t sends J^T eps_v to its parents and takes its
    /// Hebbian term. Each error and product is released as soon as it has been used, as autograd releases BP's
    /// intermediate gradients, so the sweep works in memory that stays warm instead of growing until the end.
    /// <para>
    /// A levelling copy's Jacobian is the identity, so its error is the sum of what its consumers and the next copy of its
    /// chain send it, passed on whole. The sweep adds those products into the source's error directly, in the order
    /// backprop's engine adds them (<see cref="ErrorSums"/>), so the source's error is backprop's gradient, bit for bit and
    /// in its layout, without a step, a tensor or a dictionary entry per copy (DenseNet-121 has 3,210 of them). A copy's own
    /// error, which only an observer asks for, is what its source has received when the copy's level begins.
    /// </para>
    /// </summary>
    private void Sweep(PcGraph graph, Dictionary<Vertex, ILocalProduct> products, Tensor outputError, ParameterTerms terms)
    {
        var errors = new ErrorSums(graph, outputError);
        var profile = ProfileOfZil();
        foreach (var (depth, level, copies) in ScheduleLevels.Of(graph))
        {
            if (observer != null)
                foreach (var copy in copies)
                    errors.ObservePartial(PcGraph.SourceOf(copy), sum => observer.OnScheduledError(copy, depth, sum));
            var batch = new AutogradBatch();
            foreach (var v in level)
            {
                long start = profile != null ? Stopwatch.GetTimestamp() : 0;
                if (products.TryGetValue(v, out var product) && errors.TryGetComplete(v, out var error)) product.Send(error, batch);
                profile?.Add(ProfilePart.ZilSweep, v, start);
            }
            batch.Run();
            terms.AddLevel(depth);
            // Errors are summed in backprop's order, whatever the vertices' strategies (ErrorSums).
            foreach (var v in level)
            {
                if (!products.TryGetValue(v, out var product)) continue;
                long start = profile != null ? Stopwatch.GetTimestamp() : 0;
                using (product)
                    if (errors.Remove(v, out var error))
                    {
                        observer?.OnScheduledError(v, depth, error);
                        foreach (var (parent, term) in product.ParentProducts())
                            errors.Add(PcGraph.SourceOf(parent), term, reader: v);
                        error.Dispose();
                    }
                profile?.Add(ProfilePart.ZilSweep, v, start);
            }
        }
    }

    /// <summary>
    /// The profile to time this step's vertices into (`bench --profile`), or null: the usual case, which costs nothing more.
    /// </summary>
    private static StepProfile? ProfileOfZil() => StepProfile.Active is { Rule: "zil" } profile ? profile : null;
}
