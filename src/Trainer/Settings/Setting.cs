using System.Text.RegularExpressions;

namespace ZilOnnx.Trainer.Settings;

/// <summary>
/// The library's settings, by the names of the parameters that take them, for messages that name one. A message writes
/// a setting as its marker (⟨name⟩): <see cref="Render"/> puts a front end's own word for it there (a command line
/// its flag), <see cref="Plain"/> the parameter name, so the library never speaks one front end's language.
/// </summary>
public static partial class Setting
{
    public const string Rule = "⟨rule⟩";
    public const string Ablation = "⟨ablation⟩";
    public const string InferenceSteps = "⟨inferenceSteps⟩";
    public const string Gamma = "⟨gamma⟩";
    public const string EnergyTolerance = "⟨energyTolerance⟩";
    public const string OutputWeight = "⟨outputWeight⟩";
    public const string PcSteps = "⟨pcSteps⟩";
    public const string Threads = "⟨threads⟩";
    public const string Loss = "⟨loss⟩";
    public const string Reduction = "⟨reduction⟩";
    public const string ClassAxis = "⟨classAxis⟩";
    public const string LabelSmoothing = "⟨labelSmoothing⟩";
    public const string Augmentation = "⟨augmentation⟩";
    public const string LearningRate = "⟨learningRate⟩";
    public const string BatchSize = "⟨batchSize⟩";
    public const string BatchNormStatistics = "⟨batchNormStatistics⟩";
    public const string MaxUpdateNorm = "⟨maxUpdateNorm⟩";
    public const string MaxLossGrowth = "⟨maxLossGrowth⟩";
    public const string Device = "⟨device⟩";
    public const string Resize = "⟨resize⟩";
    public const string CenterCrop = "⟨centerCrop⟩";
    public const string Mean = "⟨mean⟩";
    public const string Std = "⟨std⟩";
    public const string Layout = "⟨layout⟩";
    public const string LabelColumn = "⟨labelColumn⟩";
    public const string DataBudget = "⟨dataBudget⟩";
    public const string Distributed = "⟨distributed⟩";
    public const string CollectiveTimeout = "⟨collectiveTimeout⟩";

    /// <summary><paramref name="text"/> with every setting's marker replaced by <paramref name="word"/>(marker).</summary>
    public static string Render(string text, Func<string, string> word) => Marker().Replace(text, m => word(m.Value));

    /// <summary><paramref name="text"/> naming each setting by its parameter name.</summary>
    public static string Plain(string text) => Marker().Replace(text, m => m.Groups[1].Value);

    /// <summary>The parameter names of the settings <paramref name="text"/> names, in order.</summary>
    public static IReadOnlyList<string> NamesIn(string text) => Marker().Matches(text).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex("⟨([A-Za-z]+)⟩")]
    private static partial Regex Marker();
}
