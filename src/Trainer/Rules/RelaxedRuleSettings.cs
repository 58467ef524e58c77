using System.Globalization;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Rules;

/// <summary>The checks every rule with relaxed PC dynamics makes of its knobs, so that each says the same in one place.</summary>
internal static class RelaxedRuleSettings
{
    /// <param name="symbol">The rule's letter for its step count (il's T, fpa's n).</param>
    public static void CheckInferenceSteps(string rule, int steps, string symbol = "T")
    {
        if (steps is < 1 or > Il.MaxInferenceSteps)
            throw new SettingException(
                $"{Setting.InferenceSteps} ({symbol}) of rule {rule} must be from 1 to {Il.MaxInferenceSteps}, not {steps}");
    }

    /// <summary>zil+pc's K, the relaxed steps after Z-IL's; 0 is Z-IL itself.</summary>
    public static void CheckPcSteps(int steps)
    {
        if (steps is < 0 or > Il.MaxInferenceSteps)
            throw new SettingException($"{Setting.PcSteps} (K) of rule zil+pc must be from 0 to {Il.MaxInferenceSteps}, not {steps}");
    }

    public static void CheckGamma(string rule, double gamma)
    {
        if (!(gamma > 0 && gamma <= 1))
            throw new SettingException($"{Setting.Gamma} of rule {rule} must be in (0, 1], not {Show(gamma)}");
    }

    public static void CheckOutputWeight(string rule, double weight)
    {
        if (!(weight > 0 && double.IsFinite(weight)))
            throw new SettingException($"{Setting.OutputWeight} of rule {rule} must be a finite number > 0, not {Show(weight)}");
    }

    public static void CheckLearningRate(string rule, double learningRate)
    {
        if (!(learningRate > 0 && double.IsFinite(learningRate)))
            throw new SettingException($"{Setting.LearningRate} of rule {rule} must be a finite number > 0, not {Show(learningRate)}");
    }

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);
}
