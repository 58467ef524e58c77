using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// The command line's word for each setting the Trainer library names (<see cref="Setting"/>): its messages and notes
/// reach the user naming the flag that gives the setting.
/// </summary>
public static class SettingFlags
{
    private static readonly Dictionary<string, string> Flags = new()
    {
        [Setting.Rule] = "--rule",
        [Setting.Ablation] = "--ablate",
        [Setting.InferenceSteps] = "--inference-steps",
        [Setting.Gamma] = "--gamma",
        [Setting.EnergyTolerance] = "--tol",
        [Setting.OutputWeight] = "--output-weight",
        [Setting.PcSteps] = "--pc-steps",
        [Setting.Threads] = "--threads",
        [Setting.Loss] = "--loss",
        [Setting.Reduction] = "--reduction",
        [Setting.ClassAxis] = "--class-axis",
        [Setting.LabelSmoothing] = "--label-smoothing",
        [Setting.Augmentation] = "--augment",
        [Setting.LearningRate] = "--lr",
        [Setting.BatchSize] = "--batch-size",
        [Setting.BatchNormStatistics] = "--bn",
        [Setting.MaxUpdateNorm] = "--max-update-norm",
        [Setting.MaxLossGrowth] = "--max-loss-growth",
        [Setting.Device] = "--device",
        [Setting.Resize] = "--resize",
        [Setting.CenterCrop] = "--center-crop",
        [Setting.Mean] = "--mean",
        [Setting.Std] = "--std",
        [Setting.Layout] = "--layout",
        [Setting.LabelColumn] = "--label-column",
        [Setting.DataBudget] = "--max-data-gb",
        [Setting.Distributed] = "--distributed",
        [Setting.CollectiveTimeout] = "--mpi-timeout",
    };

    /// <summary>A Trainer text (a note) with its settings named by their flags.</summary>
    public static string Say(string text) =>
        Setting.Render(text, marker => Flags.TryGetValue(marker, out var flag) ? flag : Setting.Plain(marker));

    /// <summary>The message of <paramref name="e"/> as the command line says it.</summary>
    public static string MessageOf(Exception e) => e is ISettingMessage setting ? Say(setting.Template) : e.Message;

    /// <summary>The flag that gives <paramref name="setting"/> (a <see cref="Setting"/> marker), for the options that define it.</summary>
    public static string Of(string setting) => Flags[setting];
}
