using System.CommandLine;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// Resolves a run's <see cref="TrainingSettings"/> from the command line and, for a run that resumes a checkpoint, from
/// the checkpoint. Every setting that shapes a run continues the checkpointed run: an option left out takes the
/// checkpoint's value, and one given with another value is a usage error naming both, rather than a run that silently
/// stops continuing the one it resumes. Without a checkpoint, the options rule.
/// </summary>
public static class TrainingSettingsResolver
{
    /// <param name="validation">Held-out evaluation options (finetune), or null for a command without them.</param>
    /// <param name="checkpoint">The run state of the checkpoint the model argument is, or null.</param>
    public static TrainingSettings Resolve(ParseResult parse, TrainingOptions options, ValidationOptions? validation,
        CheckpointState? checkpoint, string modelPath)
    {
        var given = Given(parse, options, validation);
        var recorded = checkpoint == null ? given : given.RecordedIn(checkpoint);
        // What the command has no option for is not continued: verify neither holds out data nor augments.
        if (validation == null) recorded = recorded with { ValidationSplit = null };
        if (options.Preprocessing.Augment == null) recorded = recorded with { Augmentation = null };
        var settings = new Continuation(parse, modelPath).Continue(options, validation, given, recorded);
        settings = RuleKnobs.Resolve(settings);
        // --ablate breaks the named Z-IL conditions in the rule's own dynamics (AblatedRule).
        var ablate = parse.GetValue(options.Ablate);
        var ablation = ablate is { Length: > 0 } ? Ablation.Parse(ablate, settings.Seed, settings.LearningRate) : null;
        bool il = settings.Rule.Equals("il", StringComparison.OrdinalIgnoreCase);
        if (ablation?.Has("gamma") == true && il && parse.GetResult(options.Gamma) is { Implicit: false })
            throw new ArgumentException("--gamma and --ablate gamma=G both set il's inference rate: give one");
        return settings with { Ablation = ablation };
    }

    /// <summary>The settings as the command line gives them, defaults included (a command that resumes nothing: `bench`).</summary>
    public static TrainingSettings Given(ParseResult parse, TrainingOptions options, ValidationOptions? validation = null)
    {
        if (parse.GetValue(options.Shuffle) && parse.GetValue(options.NoShuffle))
            throw new ArgumentException("--shuffle and --no-shuffle exclude each other");
        if (parse.GetValue(options.Steps) != null && parse.GetValue(options.Epochs) != null)
            throw new ArgumentException("give --steps or --epochs, not both");
        int batchSize = parse.GetValue(options.BatchSize);
        if (batchSize < 1) throw new ArgumentException("--batch-size must be positive");
        return new TrainingSettings
        {
            Data = parse.GetValue(options.Data),
            LabelColumn = parse.GetValue(options.LabelColumn),
            Preprocessing = options.Preprocessing.Resolve(parse),
            MaxDataGb = parse.GetValue(options.MaxDataGb),
            ValidationData = validation == null ? null : parse.GetValue(validation.Data),
            Device = parse.GetValue(options.Device)!,
            Threads = parse.GetValue(options.Threads),
            VerifyBeside = parse.GetValue(options.VerifyBeside),
            Rule = parse.GetValue(options.Rule)!,
            Loss = options.Losses.Settings(parse),
            Optimizer = parse.GetValue(options.Optimizer)!,
            LearningRate = parse.GetValue(options.LearningRate),
            Momentum = parse.GetValue(options.Momentum),
            WeightDecay = parse.GetValue(options.WeightDecay),
            LearningRateSchedule = parse.GetValue(options.LearningRateSchedule)!,
            BatchSize = batchSize,
            Shuffle = !parse.GetValue(options.NoShuffle),
            Seed = parse.GetValue(options.Seed),
            Precision = parse.GetValue(options.Precision)!,
            BatchNorm = parse.GetValue(options.BatchNorm),
            Untie = parse.GetValue(options.Untie),
            NumClasses = parse.GetValue(options.Transfer.NumClasses),
            Reinit = parse.GetValue(options.Reinit),
            ValidationSplit = validation == null ? null : parse.GetValue(validation.Split),
            // Null where not given: each rule has defaults of its own (RuleKnobs).
            InferenceSteps = Explicit(parse, options.InferenceSteps),
            Gamma = Explicit(parse, options.Gamma),
            EnergyTolerance = parse.GetValue(options.EnergyTolerance),
            OutputWeight = Explicit(parse, options.OutputWeight),
            PcSteps = Explicit(parse, options.PcSteps),
            // crop:0 alone augments nothing, and is recorded as no augmentation.
            Augmentation = options.Preprocessing.ResolveAugmentation(parse) is { } parsed && parsed.Describe().Length > 0 ? parsed : null,
            Selection = options.Transfer.Selection(parse),
            Steps = parse.GetValue(options.Steps),
            Epochs = parse.GetValue(options.Epochs),
        };
    }

    /// <summary>
    /// The learning-rate schedule for the run's steps. One given on resume is compared with the checkpoint's only now:
    /// `cosine` written without T means the run's total steps, which the data decide.
    /// </summary>
    public static LearningRateSchedule Schedule(TrainingSettings settings, long totalSteps, Option scheduleOption, string modelPath)
    {
        var schedule = settings.Schedule(totalSteps);
        if (settings.ContinuedSchedule is not { } text) return schedule;
        var recorded = LearningRateSchedule.Parse(text, totalSteps);
        return schedule == recorded ? recorded : throw Conflict(modelPath, scheduleOption, recorded, schedule);
    }

    private static ArgumentException Conflict<T>(string modelPath, Option option, T recorded, T given)
    {
        static string Show(T value) => value?.ToString() ?? "(none)";
        return new ArgumentException($"{modelPath}: the checkpointed run has {option.Name} {Show(recorded)}; " +
                                     $"{Show(given)} would not continue it (leave {option.Name} out to keep the checkpoint's)");
    }

    /// <summary>--momentum given for an optimizer without momentum is refused rather than ignored.</summary>
    public static void CheckMomentumApplies(ParseResult parse, TrainingOptions options, string optimizer)
    {
        if (parse.GetResult(options.Momentum) is { Implicit: false } && !optimizer.Equals("momentum", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--momentum applies to --optimizer momentum only, not {optimizer}");
    }

    private static T? Explicit<T>(ParseResult parse, Option<T> option) where T : struct =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;

    /// <summary>The options given against the values a checkpoint recorded (which, without one, are the options' own).</summary>
    private sealed class Continuation(ParseResult parse, string modelPath)
    {
        public TrainingSettings Continue(TrainingOptions options, ValidationOptions? validation, TrainingSettings given,
            TrainingSettings recorded)
        {
            Keep(options.Loss, given.Loss.Name, recorded.Loss.Name);
            Keep(options.Reduction, given.Loss.Reduction.Name(), recorded.Loss.Reduction.Name());
            Keep(options.ClassAxis, given.Loss.ClassAxis, recorded.Loss.ClassAxis);
            Keep(options.LabelSmoothing, given.Loss.LabelSmoothing, recorded.Loss.LabelSmoothing);
            Keep(options.Seed, given.Seed, recorded.Seed);
            Keep(options.Transfer.NumClasses, given.NumClasses, recorded.NumClasses);
            Keep(validation?.Split, given.ValidationSplit, recorded.ValidationSplit);
            Keep(options.Preprocessing.Augment, given.Augmentation?.Describe(), recorded.Augmentation?.Describe());
            KeepPreprocessing(options.Preprocessing, given.Preprocessing?.ToJson(), recorded.Preprocessing?.ToJson());
            Keep(options.BatchSize, given.BatchSize, recorded.BatchSize);
            Keep(options.Untie, given.Untie, recorded.Untie);
            Keep(options.BatchNorm, given.BatchNorm, recorded.BatchNorm);
            Keep(options.Precision, given.Precision, recorded.Precision);
            Keep(options.Rule, given.Rule, recorded.Rule);
            RuleKnobs.CheckGiven(parse, options, recorded.Rule);
            // A checkpoint records a rule's settings with its defaults filled in; one given must be the recorded one.
            var recordedKnobs = RuleKnobs.Resolve(recorded);
            Keep(options.InferenceSteps, given.InferenceSteps, recordedKnobs.InferenceSteps);
            Keep(options.Gamma, given.Gamma, recordedKnobs.Gamma);
            Keep(options.EnergyTolerance, given.EnergyTolerance, recordedKnobs.EnergyTolerance);
            Keep(options.OutputWeight, given.OutputWeight, recordedKnobs.OutputWeight);
            Keep(options.PcSteps, given.PcSteps, recordedKnobs.PcSteps);
            KeepShuffle(options, given.Shuffle, recorded.Shuffle);
            Keep(options.Optimizer, given.Optimizer, recorded.Optimizer);
            Keep(options.LearningRate, given.LearningRate, recorded.LearningRate);
            CheckMomentumApplies(parse, options, recorded.Optimizer);
            Keep(options.Momentum, given.Momentum, recorded.Momentum);
            Keep(options.WeightDecay, given.WeightDecay, recorded.WeightDecay);
            // A schedule given is kept with the recorded one: whether it continues it needs the run's steps (Schedule).
            return IsGiven(options.LearningRateSchedule)
                ? recorded with { LearningRateSchedule = given.LearningRateSchedule, ContinuedSchedule = recorded.LearningRateSchedule }
                : recorded;
        }

        /// <summary>A value given explicitly must be the recorded one; another is refused naming both.</summary>
        private void Keep<T>(Option? option, T given, T recorded)
        {
            if (option == null || !IsGiven(option)) return;
            bool same = given is string a && recorded is string b
                ? a.Equals(b, StringComparison.OrdinalIgnoreCase)
                : EqualityComparer<T>.Default.Equals(given, recorded);
            if (!same) throw Conflict(modelPath, option, recorded, given);
        }

        /// <summary>The preprocessing options, several for one setting: given at all, they must be the recorded ones together.</summary>
        private void KeepPreprocessing(PreprocessingOptions options, string? given, string? recorded)
        {
            var all = new Option[] { options.Resize, options.CenterCrop, options.Mean, options.Std, options.Layout };
            if (given == recorded || !all.Any(IsGiven)) return;
            throw new ArgumentException($"{modelPath}: the checkpointed run has the preprocessing {recorded ?? "none"}; " +
                                        $"{given ?? "none"} would not continue it " +
                                        "(leave --resize, --center-crop, --mean, --std and --layout out to keep the checkpoint's)");
        }

        /// <summary>--shuffle / --no-shuffle, two options for one setting.</summary>
        private void KeepShuffle(TrainingOptions options, bool given, bool recorded)
        {
            if (given == recorded || (!IsGiven(options.Shuffle) && !IsGiven(options.NoShuffle))) return;
            static string Name(bool shuffled) => shuffled ? "--shuffle" : "--no-shuffle";
            throw new ArgumentException($"{modelPath}: the checkpointed run has {Name(recorded)}; {Name(given)} would not continue it " +
                "(leave both out to keep the checkpoint's)");
        }

        private bool IsGiven(Option option) => parse.GetResult(option) is { Implicit: false };
    }
}
