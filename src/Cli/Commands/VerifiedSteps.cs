using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Training;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Cli.Commands;

/// <summary>
/// `verify`'s training steps: each step's divergences from backprop, kept as maxima over the steps, and the inference
/// steps of each relaxation. A step that goes NaN or Inf ends the run, but not the record: the report still holds every
/// step up to it, that step's divergences (NaN or infinite) and where the first non-finite number appeared, so `--json`
/// prints it like any other outcome (a scripted grid keeps its row) before the error line and exit code 4.
/// </summary>
public static class VerifiedSteps
{
    /// <param name="onStep">Sees each step's divergences, the failed step's included (`--dump`), or null.</param>
    /// <returns>The report, and the failure to raise once it is printed (null when every step ran).</returns>
    public static (VerificationReport Report, NumericalFailureException? Failure) Run(Trainer.Training.Trainer trainer, TrainingSetup setup,
        double tolerance, Action<IReadOnlyList<ParameterDivergence>>? onStep = null)
    {
        var worst = new Dictionary<string, ParameterDivergence>();
        var inferenceSteps = new List<int>();
        NumericalFailureException? failure = null;
        long steps = 0;
        for (; steps < setup.TotalSteps && failure == null; steps++)
        {
            IReadOnlyList<ParameterDivergence> divergences;
            try
            {
                var step = trainer.Step();
                if (step.InferenceSteps is { } n) inferenceSteps.Add(n);
                divergences = step.Divergences!;
            }
            catch (NumericalFailureException e)
            {
                failure = e;
                divergences = e.Divergences ?? [];
            }
            onStep?.Invoke(divergences);
            // Math.Max keeps a NaN (Enumerable.Max would not), so a step that went NaN stays in the report.
            foreach (var d in divergences)
                worst[d.Name] = worst.TryGetValue(d.Name, out var w) ? new(d.Name, Math.Max(w.MaxAbs, d.MaxAbs), Math.Max(w.MaxRel,
                    d.MaxRel)) : d;
        }
        var report = new VerificationReport(setup.Rule.Name, setup.Precision.ToString().ToLowerInvariant(), steps, tolerance,
            worst.Values.ToList())
        {
            InferenceSteps = inferenceSteps.Count > 0 ? inferenceSteps : null,
            Dynamics = setup.Rule is PcDynamics dynamics ? dynamics.Dynamics : setup.Rule.Name,
            Failure = failure == null ? null : new NumericalFailure(failure.Step ?? steps, SettingFlags.MessageOf(failure), failure.Origin),
        };
        return (report, failure);
    }
}
