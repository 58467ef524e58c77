using System.CommandLine;
using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// The settings of the rules with relaxed dynamics (--inference-steps, --gamma, --tol, --output-weight, --pc-steps): which
/// rule takes which, and each rule's defaults. One given for a rule that has no use for it is refused rather than
/// ignored, and a rule's settings are null for the rules that do not take them (so checkpoints record only what applies).
/// </summary>
public static class RuleKnobs
{
    private static readonly Dictionary<string, string[]> Taken = new(StringComparer.OrdinalIgnoreCase)
    {
        ["il"] = ["--inference-steps", "--gamma", "--tol", "--output-weight"],
        ["ipc"] = ["--inference-steps", "--gamma", "--output-weight"],
        ["fpa"] = ["--inference-steps", "--gamma", "--output-weight"],
        ["zil+pc"] = ["--pc-steps", "--gamma"],
        ["zil-relaxed"] = ["--output-weight"],
        ["fa-zil"] = ["--output-weight"],
    };

    /// <summary>Whether <paramref name="rule"/> takes the option named <paramref name="flag"/>.</summary>
    public static bool Takes(string rule, string flag) => Taken.TryGetValue(rule, out var flags) && flags.Contains(flag);

    /// <summary>The rule settings given on the command line, checked against the rule: one it does not take is refused.</summary>
    public static void CheckGiven(ParseResult parse, TrainingOptions options, string rule)
    {
        foreach (var option in options.RuleSettings)
        {
            if (parse.GetResult(option) is not { Implicit: false } || Takes(rule, option.Name)) continue;
            var rules = Taken.Where(r => r.Value.Contains(option.Name)).Select(r => r.Key);
            throw new ArgumentException($"{option.Name} applies to --rule {string.Join(", ", rules)}, not {rule}");
        }
    }

    /// <summary>
    /// The settings with each of the rule's own defaults filled in where nothing was given (fpa's n stays null: the depth),
    /// and the settings it does not take cleared.
    /// </summary>
    public static TrainingSettings Resolve(TrainingSettings settings)
    {
        string rule = settings.Rule.ToLowerInvariant();
        bool fpa = rule == "fpa";
        return settings with
        {
            InferenceSteps = Takes(rule, "--inference-steps") ? settings.InferenceSteps ?? (fpa ? null : Il.DefaultInferenceSteps) : null,
            Gamma = Takes(rule, "--gamma") ? settings.Gamma ?? (fpa ? Fpa.DefaultGamma : Il.DefaultGamma) : null,
            EnergyTolerance = Takes(rule, "--tol") ? settings.EnergyTolerance : null,
            OutputWeight = Takes(rule, "--output-weight") ? settings.OutputWeight ?? 1 : null,
            PcSteps = Takes(rule, "--pc-steps") ? settings.PcSteps ?? ZilPlusPc.DefaultPcSteps : null,
        };
    }
}
