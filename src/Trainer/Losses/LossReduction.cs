using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Losses;

/// <summary>
/// How a loss turns its per-element terms into one number (docs/algorithms.md, "Losses").
/// <see cref="Sample"/>: summed over each sample's positions or features, then the mean over the samples (mse keeps its
/// 1/2). <see cref="Mean"/>: torch.nn's default, the mean over every labelled position (ce) or every element (the others).
/// </summary>
public enum LossReduction { Sample, Mean }

public static class LossReductions
{
    public const string Names = "sample, mean";

    public static LossReduction Parse(string name) => name.ToLowerInvariant() switch
    {
        "sample" => LossReduction.Sample,
        "mean" => LossReduction.Mean,
        _ => throw new SettingException($"{Setting.Reduction} '{name}' is not one of {Names}"),
    };

    public static string Name(this LossReduction reduction) => reduction.ToString().ToLowerInvariant();

    /// <summary>What the summed terms are divided by: the batch size, or the number of positions (elements) the terms cover.</summary>
    public static long Divisor(this LossReduction reduction, long samples, long positions) =>
        reduction == LossReduction.Sample ? samples : positions;
}
