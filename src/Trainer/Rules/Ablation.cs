using System.Globalization;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// An ablation of the Z-IL conditions (docs/algorithms.md, traps), parsed from `--ablate` items such as `gamma=0.5`,
/// `init-noise=0.1`, `schedule-shift=1`, `no-levelling`, `all-steps`, `last-step`, and for shared weights
/// `immediate-shared` (each copy's term applied at once) and `all-copies` (every copy's term at each copy's
/// step). They act on the chosen rule's relaxed PC dynamics, where each condition has a meaning
/// (<see cref="AblatedRule"/>).
/// </summary>
public sealed record Ablation(PcDynamicsOptions Dynamics, bool Levelling)
{
    /// <summary>The items as parsed, keys in lower case (`gamma=0.5`), in the order given.</summary>
    public IReadOnlyList<string> Items { get; init; } = [];

    /// <summary>Whether an item with this key (`gamma`, `all-steps`, ...) was given.</summary>
    public bool Has(string key) => Items.Any(i => i.Split('=', 2)[0] == key);

    /// <param name="learningRate">The step with which `immediate-shared` applies each copy's term at once.</param>
    public static Ablation Parse(IEnumerable<string> items, long seed, double learningRate = 0.01)
    {
        var options = new PcDynamicsOptions { Seed = seed };
        bool levelling = true;
        var given = new List<string>();
        foreach (string item in items.SelectMany(i => i.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            string[] parts = item.Split('=', 2);
            string key = parts[0].ToLowerInvariant();
            string? value = parts.Length == 2 ? parts[1] : null;
            options = key switch
            {
                "gamma" => options with
                {
                    Gamma = Number(item, value, g => g > 0 && g <= 1, "an inference rate G greater than 0 and at most 1"),
                },
                "init-noise" => options with
                {
                    InitNoise = Number(item, value, s => s >= 0 && double.IsFinite(s), "a noise scale S, a finite number >= 0"),
                },
                "schedule-shift" => options with
                {
                    ScheduleShift = (int)Number(item, value, k => Math.Abs(k) <= Il.MaxInferenceSteps && k == Math.Floor(k),
                        $"a shift K in inference steps, a whole number from -{Il.MaxInferenceSteps} (early) " +
                        $"to {Il.MaxInferenceSteps} (late)"),
                },
                "all-steps" => options with { Gate = UpdateGate.EveryStep },
                "last-step" => options with { Gate = UpdateGate.LastStep },
                "immediate-shared" => options with { SharedTerms = SharedParameterTerms.Immediate, ImmediateLearningRate = learningRate },
                "all-copies" => options with { SharedTerms = SharedParameterTerms.AllCopies },
                "no-levelling" => options,
                _ => throw new SettingException($"{Setting.Ablation} '{item}' is not one of gamma=G, init-noise=S, schedule-shift=K, " +
                    "no-levelling, all-steps, last-step, immediate-shared, all-copies"),
            };
            if (key == "no-levelling") levelling = false;
            given.Add(value == null ? key : $"{key}={value}");
        }
        return new Ablation(options, levelling) { Items = given };
    }

    /// <summary>The number after '=', which must lie in the item's range (NaN lies in none).</summary>
    private static double Number(string item, string? value, Func<double, bool> inRange, string range) =>
        !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)
            ? throw new SettingException($"{Setting.Ablation} '{item}' needs a number after '='")
            : inRange(number) ? number
            : throw new SettingException($"{Setting.Ablation} '{item}' needs {range}");
}
