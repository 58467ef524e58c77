using System.Globalization;

namespace ZilOnnx.Trainer.Optimizers;

/// <summary>
/// The learning rate of training step s (1-based) as a pure function of s and the base rate lr0, so that a
/// resumed run uses exactly the rates an uninterrupted one would (no scheduler state to checkpoint):
/// <list type="bullet">
/// <item><c>constant</c>: lr(s) = lr0.</item>
/// <item><c>step:N:G</c>: lr(s) = lr0 * G^floor((s - 1) / N), torch.optim.lr_scheduler.StepLR(step_size N,
/// gamma G) stepped once after every training step (step s runs at the scheduler's last_epoch s - 1).</item>
/// <item><c>cosine:E:T</c>: lr(s) = E + (lr0 - E) * (1 + cos(pi * (s - 1) / T)) / 2, the closed form of
/// CosineAnnealingLR(T_max T, eta_min E), stepped the same way; past T it continues periodically, as torch's
/// closed form does. Written <c>cosine</c> or <c>cosine:E</c>, T is the run's total number of steps and E is 0.</item>
/// </list>
/// The text form (<see cref="ToString"/>) is canonical, with T filled in, so that checkpoints record it and
/// two schedules compare equal exactly when they give the same rates.
/// </summary>
public abstract record LearningRateSchedule
{
    public static LearningRateSchedule Constant { get; } = new ConstantRate();

    /// <summary>The learning rate of step <paramref name="step"/> (1-based) for base rate <paramref name="baseRate"/>.</summary>
    public abstract double Rate(double baseRate, long step);

    public abstract override string ToString();

    /// <param name="totalSteps">The run's total steps: T of a cosine schedule written without one.</param>
    public static LearningRateSchedule Parse(string text, long totalSteps)
    {
        string[] parts = text.Trim().ToLowerInvariant().Split(':');
        LearningRateSchedule? schedule = parts switch
        {
            ["constant"] => Constant,
            ["step", var n, var g] when Count(n) is { } every && Number(g) is { } gamma && gamma > 0 => new StepDecay(every, gamma),
            ["cosine"] when totalSteps >= 1 => new Cosine(0, totalSteps),
            ["cosine", var e] when totalSteps >= 1 && Number(e) is { } minimum && minimum >= 0 => new Cosine(minimum, totalSteps),
            ["cosine", var e, var t] when Number(e) is { } minimum && minimum >= 0 && Count(t) is { } period => new Cosine(minimum, period),
            _ => null,
        };
        return schedule ?? throw new ArgumentException(
            $"learning-rate schedule '{text}' is not one of constant, step:N:G (N >= 1 steps, G > 0), cosine, cosine:ETA_MIN or " +
                $"cosine:ETA_MIN:T_MAX (ETA_MIN >= 0, T_MAX >= 1 steps)");
    }

    private static double? Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) ? value : null;

    private static long? Count(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value >= 1 ? value : null;

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private sealed record ConstantRate : LearningRateSchedule
    {
        public override double Rate(double baseRate, long step) => baseRate;
        public override string ToString() => "constant";
    }

    private sealed record StepDecay(long Every, double Gamma) : LearningRateSchedule
    {
        public override double Rate(double baseRate, long step) => baseRate * Math.Pow(Gamma, (step - 1) / Every);
        public override string ToString() => $"step:{Every}:{Text(Gamma)}";
    }

    private sealed record Cosine(double Minimum, long Period) : LearningRateSchedule
    {
        public override double Rate(double baseRate, long step) =>
            Minimum + (baseRate - Minimum) * (1 + Math.Cos(Math.PI * (step - 1) / Period)) / 2;
        public override string ToString() => $"cosine:{Text(Minimum)}:{Period}";
    }
}
