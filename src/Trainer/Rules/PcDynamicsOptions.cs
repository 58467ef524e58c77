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
    /// <summary>An ablation: at a copy's step, the terms of all copies (dF/dW in full) are taken, whether their turn has come or
    /// not.</summary>
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

    /// <summary>Looks for the first non-finite number at every step (<see cref="IRelaxingRule.LocateNonFinite"/>), else null.</summary>
    internal Dynamics.RelaxationProbe? Probe { get; init; }
}
