using System.Globalization;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Data.Preprocessing;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Trainer.Checkpoints;

/// <summary>
/// The range of every field of a run state, as the command line would have accepted the setting. Names are checked by
/// the factories that will build them, so that the lists of rules, losses and optimizers live in one place.
/// </summary>
internal static class CheckpointStateRanges
{
    public static void Check(CheckpointState state, string entry)
    {
        void Require(bool holds, string property, object? value, string range)
        {
            if (!holds) throw CheckpointStateReader.Bad(entry, property, $"is {Show(value)}, not {range}");
        }
        void Known(string property, Action build)
        {
            try { build(); }
            catch (ArgumentException e)
            {
                throw CheckpointStateReader.Bad(entry, property, $"holds no setting this zilonnx knows: {e.Message}");
            }
        }

        Require(state.Step >= 0, nameof(state.Step), state.Step, "0 or more");
        Known(nameof(state.Rule), () => RuleFactory.Create(state.Rule));
        Known(nameof(state.Reduction), () => LossReductions.Parse(state.Reduction ?? LossReduction.Sample.Name()));
        Known(nameof(state.Loss), () => state.ToLossSettings().Create());
        Known(nameof(state.Optimizer), () => OptimizerFactory.Create(state.Optimizer, 1));
        Require(double.IsFinite(state.LearningRate) && state.LearningRate > 0, nameof(state.LearningRate), state.LearningRate,
            "a finite number over 0");
        Require(state.BatchSize >= 1, nameof(state.BatchSize), state.BatchSize, "1 or more");
        Known(nameof(state.Precision), () => PrecisionExtensions.Parse(state.Precision));
        Require(double.IsFinite(state.WeightDecay) && state.WeightDecay >= 0, nameof(state.WeightDecay), state.WeightDecay,
            "a finite number of 0 or more");
        Require(double.IsFinite(state.Momentum) && state.Momentum >= 0, nameof(state.Momentum), state.Momentum,
            "a finite number of 0 or more");
        Require(state.LearningRateSchedule != null, nameof(state.LearningRateSchedule), null, "a schedule");
        Known(nameof(state.LearningRateSchedule), () => LearningRateSchedule.Parse(state.LearningRateSchedule!, totalSteps: 1));
        Require(state.ValidationSplit is null or > 0 and < 1, nameof(state.ValidationSplit), state.ValidationSplit,
            "strictly between 0 and 1");
        Require(state.BatchNorm is null or "batch" or "frozen", nameof(state.BatchNorm), state.BatchNorm, "batch, frozen or absent");
        Require(state.InferenceSteps is null or >= 1, nameof(state.InferenceSteps), state.InferenceSteps, "1 or more");
        Require(state.Gamma is null or > 0 and <= 1, nameof(state.Gamma), state.Gamma, "in (0, 1]");
        Require(state.OutputWeight is null || (double.IsFinite(state.OutputWeight.Value) && state.OutputWeight > 0),
            nameof(state.OutputWeight), state.OutputWeight, "a finite number over 0");
        Require(state.PcSteps is null or >= 0, nameof(state.PcSteps), state.PcSteps, "0 or more");
        Require(state.EnergyTolerance is null || (double.IsFinite(state.EnergyTolerance.Value) && state.EnergyTolerance >= 0),
            nameof(state.EnergyTolerance), state.EnergyTolerance, "a finite number of 0 or more");
        if (state.Augment != null) Known(nameof(state.Augment), () => ImageAugmentation.Parse(state.Augment));
        if (state.Preprocess != null) Known(nameof(state.Preprocess), () => ImagePreprocessing.FromJson(state.Preprocess));
        if (state.Manifest is { } manifest) CheckManifest(manifest, entry);
    }

    private static void CheckManifest(CheckpointManifest manifest, string entry)
    {
        string field = CheckpointStateReader.Field(nameof(CheckpointState.Manifest));
        DataFormatException Bad(string path, string problem) => new(entry, null, $"field '{field}.{path}' {problem}");

        if (!IsSha256(manifest.ModelSha256)) throw Bad("model_sha256", $"is {Show(manifest.ModelSha256)}, not a SHA-256 in 64 hex digits");
        if (manifest.Parameters == null) throw Bad("parameters", "is missing");
        var names = new HashSet<string>();
        for (int i = 0; i < manifest.Parameters.Count; i++)
        {
            var parameter = manifest.Parameters[i];
            string at = $"parameters[{i}]";
            if (parameter == null) throw Bad(at, "is null, not a parameter");
            if (string.IsNullOrEmpty(parameter.Name)) throw Bad(at + ".name", "is missing");
            if (!names.Add(parameter.Name)) throw Bad(at + ".name", $"repeats the parameter '{parameter.Name}'");
            if (parameter.Shape == null || parameter.Shape.Any(d => d < 0))
                throw Bad(at + ".shape", "is not a list of dimensions of 0 or more");
            if (string.IsNullOrEmpty(parameter.Dtype)) throw Bad(at + ".dtype", "is missing");
        }
        if (manifest.Data is not { } data) throw Bad("data", "is missing");
        if (string.IsNullOrEmpty(data.Path)) throw Bad("data.path", "is missing");
        if (data.Size is < 0) throw Bad("data.size", $"is {data.Size}, not 0 or more");
        if (data.Samples < 1) throw Bad("data.samples", $"is {data.Samples}, not 1 or more");
        if (!IsSha256(data.FirstBatchSha256))
            throw Bad("data.first_batch_sha256", $"is {Show(data.FirstBatchSha256)}, not a SHA-256 in 64 hex digits");
        if (manifest.CommandLine == null || manifest.CommandLine.Any(word => word == null))
            throw Bad("command_line", "is not a list of strings");
    }

    private static bool IsSha256(string? text) => text is { Length: 64 } && text.All(char.IsAsciiHexDigitLower);

    private static string Show(object? value) => value switch
    {
        null => "missing",
        string text => $"'{text}'",
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };
}
