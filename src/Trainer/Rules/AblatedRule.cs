using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// `--ablate` composed with the chosen rule: the items change that rule's own relaxation, and a rule without one, or an
/// item with nothing in the rule to act on, is refused rather than silently swapped for other dynamics.
/// - zil, zil-relaxed: the scheduled PC dynamics of zil-relaxed (zil computes the same update without relaxing, so its
///   conditions can only be broken there).
/// - fa-zil: its autonomous latches; all-steps and last-step replace the latches by their own gate (the dynamics are then
///   zil-relaxed's with that gate); it has no schedule to shift.
/// - il: its own relaxation of T steps from `inferenceSteps` at its rate: gamma=G sets the rate, init-noise perturbs its
///   start, all-steps takes every term at every step, no-levelling drops the identity vertices. schedule-shift (il has no
///   schedule) and last-step (il's own timing) are refused; immediate-shared and all-copies need all-steps, since at il's
///   one update step every copy takes its term at once anyway.
/// - any other rule (bp, ...): refused, naming the rule.
/// </summary>
public static class AblatedRule
{
    public static PcDynamics Create(string rule, Ablation ablation, int inferenceSteps, double gamma, double? energyTolerance)
    {
        var options = ablation.Dynamics;
        string name = $"{rule} (ablated)";
        string applied = string.Join(" ", ablation.Items);
        switch (rule.ToLowerInvariant())
        {
            case "zil" or "zil-relaxed":
                return new PcDynamics(name, options) { Dynamics = $"zil-relaxed with {applied}" };
            case "fa-zil":
                if (ablation.Has("schedule-shift"))
                    throw new SettingException(
                        $"{Setting.Ablation} schedule-shift does not apply to {Setting.Rule} fa-zil: it has no schedule");
                bool latches = options.Gate == UpdateGate.Scheduled;
                return new PcDynamics(name, latches ? options with { Gate = UpdateGate.Autonomous } : options)
                {
                    Dynamics = $"{(latches ? "fa-zil" : "zil-relaxed")} with {applied}",
                };
            case "il":
                Refuse(ablation, "schedule-shift", "il has no schedule: every parameter takes its term at the last step");
                Refuse(ablation, "last-step", "it is il's own timing and changes nothing");
                if (!ablation.Has("all-steps"))
                    foreach (string shared in new[] { "immediate-shared", "all-copies" })
                        Refuse(ablation, shared, "at il's one update step every copy takes its term at once; combine it with all-steps");
                var il = options with
                {
                    Gate = ablation.Has("all-steps") ? UpdateGate.EveryStep : UpdateGate.LastStep,
                    Steps = inferenceSteps,
                    Gamma = ablation.Has("gamma") ? options.Gamma : gamma,
                    EnergyTolerance = energyTolerance,
                };
                return new PcDynamics(name, il) { Dynamics = $"il with {applied}" };
            default:
                throw new SettingException($"{Setting.Ablation} does not apply to {Setting.Rule} {rule}: it has no relaxation to ablate " +
                    "(give zil, zil-relaxed, fa-zil or il)");
        }
    }

    private static void Refuse(Ablation ablation, string item, string why)
    {
        if (ablation.Has(item)) throw new SettingException($"{Setting.Ablation} {item} does not apply to {Setting.Rule} il: {why}");
    }
}
