using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules.Dynamics;
using ZilOnnx.Trainer.Training;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// The full predictive-coding dynamics of docs/algorithms.md: at every inference step all predictions, errors
/// and feedback terms are computed from the same state, then every free value node moves by
/// gamma * (-eps_v + sum_c J^T eps_c). Parameters take their Hebbian term when the gate opens. With the
/// default options this is `zil-relaxed`; other options are the ablations and classic IL. The state
/// (<see cref="RelaxationState"/>), the gates (<see cref="UpdateGates"/>) and the shared-term policy
/// (<see cref="SharedTermPolicy"/>) are each a type of their own; this is the loop that steps them.
/// </summary>
public sealed class PcDynamics(string name, PcDynamicsOptions options) : IRelaxingRule
{
    public ILearningRule Observed(IInferenceObserver observer) =>
        new PcDynamics(name, options with { Observer = observer }) { Dynamics = Dynamics };

    public string Name => name;

    /// <summary>Which dynamics these are, for a report (`il with gamma=0.5`: il's ablated by gamma=0.5); the name by default.</summary>
    public string Dynamics { get => field ?? Name; init; }

    public PcDynamicsOptions Options => options;

    public NonFiniteOrigin? LocateNonFinite(PcnModel model, Batch batch, ILoss loss)
    {
        var probe = new RelaxationProbe();
        using var result = new PcDynamics(name, options with { Probe = probe, Observer = null }).Compute(model, batch, loss);
        return probe.Found;
    }

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss)
    {
        using var scope = NewDisposeScope();
        var free = model.Graph.Vertices.Where(PcGraph.IsFree).ToList();
        var state = new RelaxationState(model, batch, options.InitNoise, options.Seed);
        var gates = new UpdateGates(options, model.Graph);
        var shared = new SharedTermPolicy(model, options);
        var updates = new ParameterAccumulator(model);
        // The dynamics see the output energy weighted by S; the loss reported is the model's own.
        var outputEnergy = options.OutputWeight == 1 ? loss : new WeightedLoss(loss, options.OutputWeight);
        Func<Vertex, Tensor> tapeValue = options.FixedPrediction ? state.FeedForwardValue : state.Value;
        int steps = options.Steps ?? gates.DefaultSteps;
        bool energyNeeded = options.Observer != null || options.EnergyTolerance != null || options.Probe != null;
        double previousEnergy = double.NaN;
        int stepsRun = 0;
        for (int t = 0; t < steps; t++)
        {
            using var stepScope = NewDisposeScope();
            var active = state.Active(shared.WeightsChange, options.FixedPrediction);
            var tapes = active.ToDictionary(v => v, v => LocalTape.Record(model, v, tapeValue, name => shared.Weights[name]));
            var (errors, outputPrediction) = state.Errors(tapes, shared.WeightsChange, options.FixedPrediction, outputEnergy,
                batch.Targets);
            stepsRun = t + 1;
            var energyTerms = energyNeeded
                ? EnergyTerms(errors, model.Graph.TrainingOutput, outputEnergy, outputPrediction, batch.Targets)
                : null;
            double energy = energyTerms?.Values.Sum() ?? double.NaN;
            bool converged = options.EnergyTolerance is { } tolerance && t > 0 &&
                             Math.Abs(energy - previousEnergy) <= tolerance * Math.Abs(previousEnergy);
            previousEnergy = energy;
            if (options.Probe?.AfterErrors(t, tapes, errors, energy) == true) break;
            bool last = t == steps - 1 || converged;
            gates.Advance(t, errors);

            // Rule 1: every product of this step from the same state, in one autograd call over the disjoint local tapes.
            var (feedback, terms) = Products(active, tapes, errors);
            shared.Take(terms, free, v => gates.IsOpen(v, t, last), updates);
            options.Observer?.OnVertices(t, new InferenceStepState(state.Value, errors, energyTerms!));
            options.Observer?.OnStep(t, energy, terms.Select(term => (term.View, term.Term)).ToList());
            // Nothing after this step can change an update: the last step of il, or every fa-zil latch has opened.
            if (converged || gates.AllLatchesOpened) break;
            state.Move(feedback, errors, options.Gamma);
            if (options.Probe?.AfterMove(t, state.Nodes) == true) break;
        }
        var prediction = state.OutputPrediction;
        using var lossValue = loss.Value(prediction, batch.Targets);
        return new RuleResult(updates.MoveToOuterScope(divisor: options.OutputWeight), lossValue.ToDouble(),
            prediction.MoveToOuterDisposeScope())
        { InferenceSteps = stepsRun };
    }

    /// <summary>The step's local products: the feedback sum_c J^T eps_c each parent receives, and the parameter terms by vertex.</summary>
    private static (Dictionary<Vertex, Tensor> Feedback, List<(Vertex Vertex, ParameterView View, Tensor Term)> Terms) Products(
        List<Vertex> active, Dictionary<Vertex, LocalTape> tapes, Dictionary<Vertex, Tensor> errors)
    {
        var products = LocalTape.Backward(active.Select(v => (tapes[v], errors[v])).ToList());
        var feedback = new Dictionary<Vertex, Tensor>();
        var terms = new List<(Vertex, ParameterView, Tensor)>();
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
        return (feedback, terms);
    }

    /// <summary>
    /// The terms of F = 1/2 sum over hidden vertices of ||eps_v||^2, plus the loss at the output's current prediction (the
    /// output is clamped through the loss, so its error is -dLoss/d(mu_out) and the loss is its term of F). Vertices that did
    /// no work this step have eps_v = 0 exactly and add nothing. Halving is exact, so the sum of the halved terms is bitwise
    /// half the sum of the squares.
    /// </summary>
    private static Dictionary<Vertex, double> EnergyTerms(Dictionary<Vertex, Tensor> errors, Vertex output, ILoss loss,
        Tensor outputPrediction, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var terms = new Dictionary<Vertex, double>();
        foreach (var (v, error) in errors)
            if (v != output) terms[v] = error.Squared().sum().ToDouble() / 2;
        terms[output] = loss.Value(outputPrediction, targets).ToDouble();
        return terms;
    }
}
