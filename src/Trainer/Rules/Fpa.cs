using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Predictive coding under the fixed prediction assumption (`fpa`; Millidge, Tschantz and Buckley 2020, Torch2PC's
/// "FixedPred"): every prediction and every Jacobian stays at its feed-forward value, so eps_v = x_v - mu_v^ff and
/// x_v += eta (-eps_v + sum_c J_c(ff)^T eps_c). After n such moves every parameter takes its Hebbian term, at the
/// feed-forward inputs, from the errors reached.
/// </summary>
/// <remarks>
/// With eta = 1 a move sets eps_v to the feedback sum_c J^T eps_c of the step before, so the errors travel one vertex per
/// step and stay: after n >= depth moves every error is backprop's, and so is every update (to rounding: the local
/// products are those of backprop, their sums are taken in the graph's order). With eta below 1 or fewer moves the
/// errors have not arrived, and verification measures the divergence. The fixed point is backprop's for every eta, so
/// the divergence falls as n grows.
/// </remarks>
public sealed class Fpa : IRelaxingRule
{
    public const double DefaultGamma = 1.0;

    private readonly IInferenceObserver? _observer;

    /// <param name="moves">n, the value-node moves before the parameters take their terms; null: the graph's depth.</param>
    /// <param name="gamma">eta, the inference rate.</param>
    /// <param name="outputWeight">S (<see cref="PcDynamicsOptions.OutputWeight"/>).</param>
    public Fpa(int? moves = null, double gamma = DefaultGamma, double outputWeight = 1, IInferenceObserver? observer = null)
    {
        if (moves is { } n) RelaxedRuleSettings.CheckInferenceSteps("fpa", n, "n");
        RelaxedRuleSettings.CheckGamma("fpa", gamma);
        RelaxedRuleSettings.CheckOutputWeight("fpa", outputWeight);
        Moves = moves;
        Gamma = gamma;
        OutputWeight = outputWeight;
        _observer = observer;
    }

    public string Name => "fpa";

    /// <summary>Exact to rounding at its defaults (eta = 1, n = depth); otherwise its divergence is what is measured.</summary>
    public bool IsExact => Gamma == 1 && Moves == null;

    public int? Moves { get; }
    public double Gamma { get; }
    public double OutputWeight { get; }

    public ILearningRule Observed(IInferenceObserver observer) => new Fpa(Moves, Gamma, OutputWeight, observer);

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss)
    {
        int moves = Moves ?? model.Graph.MaxDepth;
        // n moves need n + 1 steps: the terms are taken at the last, from the errors the n-th move left.
        var dynamics = new PcDynamics("fpa", new PcDynamicsOptions
        {
            FixedPrediction = true, Gate = UpdateGate.LastStep, Steps = moves + 1, Gamma = Gamma, OutputWeight = OutputWeight,
            Observer = _observer,
        });
        // Reported as n, the moves (what --inference-steps gives fpa), not the n + 1 steps that take them.
        return dynamics.Compute(model, batch, loss) with { InferenceSteps = moves };
    }
}
