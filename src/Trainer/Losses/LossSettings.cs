using System.Globalization;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Losses;

/// <summary>
/// A loss as the command line names it: --loss, --reduction, --class-axis and --label-smoothing. The last two apply to
/// ce only; a setting given for a loss it does not apply to is refused rather than ignored.
/// </summary>
/// <param name="ClassAxis">ce's class axis; null for the default (1 for outputs of rank 4 or more, else the last axis).</param>
/// <param name="LabelSmoothing">ce's label smoothing in [0, 1); null when not given (none).</param>
public sealed record LossSettings(string Name, LossReduction Reduction = LossReduction.Sample, int? ClassAxis = null,
    double? LabelSmoothing = null)
{
    public const string Names = "mse, ce, bce, l1";

    public ILoss Create()
    {
        string name = Name.ToLowerInvariant();
        if (name != "ce" && ClassAxis != null)
            throw new SettingException($"{Setting.ClassAxis} applies to {Setting.Loss} ce only, not {name}");
        if (name != "ce" && LabelSmoothing != null)
            throw new SettingException($"{Setting.LabelSmoothing} applies to {Setting.Loss} ce only, not {name}");
        if (LabelSmoothing is { } smoothing && !(smoothing is >= 0 and < 1))
            throw new SettingException($"{Setting.LabelSmoothing} {smoothing.ToString(CultureInfo.InvariantCulture)} is not in [0, 1)");
        if (ClassAxis is < 1) throw new SettingException($"{Setting.ClassAxis} {ClassAxis} is not 1 or more: axis 0 is the batch");
        return name switch
        {
            "mse" => new MeanSquaredErrorLoss(Reduction),
            "ce" => new CrossEntropyLoss(Reduction, ClassAxis, LabelSmoothing ?? 0),
            "bce" => new BinaryCrossEntropyLoss(Reduction),
            "l1" => new L1Loss(Reduction),
            _ => throw new ArgumentException($"loss '{Name}' is not one of {Names}"),
        };
    }
}

public static class LossFactory
{
    /// <summary>The loss with the default settings (reduction sample, ce's class axis by the output's rank, no smoothing).</summary>
    public static ILoss Create(string name) => new LossSettings(name).Create();
}
