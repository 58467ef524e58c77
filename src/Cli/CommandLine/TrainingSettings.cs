using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data.Preprocessing;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// Every setting of a training run, resolved (<see cref="TrainingSettingsResolver"/>) before anything is loaded or built:
/// a plain value, so that what a run does and what its checkpoint records are read from one place. The settings a
/// checkpoint records map to and from <see cref="CheckpointState"/> here and nowhere else.
/// </summary>
public sealed record TrainingSettings
{
    // What the run reads.
    /// <summary>The DATA argument (--data), or null where the command makes up its batches (`bench`).</summary>
    public string? Data { get; init; }
    public string? LabelColumn { get; init; }
    public ImagePreprocessing? Preprocessing { get; init; }
    public double? MaxDataGb { get; init; }
    /// <summary>--val-data: held-out data of its own, or null.</summary>
    public string? ValidationData { get; init; }

    // How it computes (never recorded: a run may resume on another machine).
    public string Device { get; init; } = "auto";
    public int? Threads { get; init; }
    /// <summary>--verify-beside: a verified zil step runs backprop's backward beside Z-IL's sweep (WitnessBeside).</summary>
    public bool VerifyBeside { get; init; }

    // What shapes the run: recorded in its checkpoints, and continued by a run that resumes one.
    public required string Rule { get; init; }
    public required LossSettings Loss { get; init; }
    public required string Optimizer { get; init; }
    public double LearningRate { get; init; }
    public double Momentum { get; init; }
    public double WeightDecay { get; init; }
    /// <summary>
    /// --lr-schedule as given or recorded; a cosine schedule's T may still be left to the run's steps (<see cref="Schedule"/>).
    /// </summary>
    public required string LearningRateSchedule { get; init; }
    /// <summary>
    /// On resume with --lr-schedule given: the checkpoint's, which the given one must equal once the run's steps fill in T.
    /// </summary>
    public string? ContinuedSchedule { get; init; }
    public int BatchSize { get; init; }
    public bool Shuffle { get; init; }
    public int Seed { get; init; }
    /// <summary>float32 or float64, as given (<see cref="PrecisionValue"/> parses it).</summary>
    public required string Precision { get; init; }
    /// <summary>--bn: "batch", "frozen", or null for what each node says.</summary>
    public string? BatchNorm { get; init; }
    public bool Untie { get; init; }
    public int? NumClasses { get; init; }
    /// <summary>--reinit: the run starts from freshly drawn parameters (not recorded: a checkpoint's are the run's).</summary>
    public bool Reinit { get; init; }
    /// <summary>--val-split, or null.</summary>
    public double? ValidationSplit { get; init; }
    /// <summary>
    /// The settings of the rules with relaxed dynamics (<see cref="RuleKnobs"/>): il's and ipc's T (fpa's n), the inference
    /// rate, il's energy stop, the output energy's weight S and zil+pc's K; null for a rule that does not take one.
    /// </summary>
    public int? InferenceSteps { get; init; }
    public double? Gamma { get; init; }
    public double? EnergyTolerance { get; init; }
    public double? OutputWeight { get; init; }
    public int? PcSteps { get; init; }
    /// <summary>--augment, or null for none (crop:0 alone augments nothing and is none).</summary>
    public ImageAugmentation? Augmentation { get; init; }
    /// <summary>
    /// The initializers frozen: null for a fresh run until the graph resolves <see cref="Selection"/>; for a resumed
    /// run the checkpoint's (empty when all train); once the graph is built, the run's own.
    /// </summary>
    public IReadOnlyList<string>? Frozen { get; init; }

    // What the run's steps and rule are made of.
    public required TrainableSelection Selection { get; init; }
    /// <summary>--ablate: PC dynamics that replace the rule, or null.</summary>
    public Ablation? Ablation { get; init; }
    public long? Steps { get; init; }
    public int? Epochs { get; init; }

    public Precision PrecisionValue => PrecisionExtensions.Parse(Precision);

    /// <summary>The optimizer these settings make, with the schedule resolved for the run's steps.</summary>
    public IOptimizer CreateOptimizer(LearningRateSchedule schedule) =>
        OptimizerFactory.Create(Optimizer, LearningRate, Momentum, WeightDecay, schedule);

    /// <summary>The learning rule these settings make: the rule with its settings (null ones at its defaults), or its ablation.</summary>
    public ILearningRule CreateRule() => RuleFactory.Create(Rule, Ablation, InferenceSteps, Gamma, EnergyTolerance,
        OutputWeight ?? 1, PcSteps ?? ZilPlusPc.DefaultPcSteps, LearningRate);

    /// <summary>The schedule, with a cosine schedule's T the run's total steps where the text leaves it out.</summary>
    public LearningRateSchedule Schedule(long totalSteps) =>
        Trainer.Optimizers.LearningRateSchedule.Parse(LearningRateSchedule, totalSteps);

    /// <summary>
    /// Training steps: --steps, --epochs in whole batches (rounded up), or the command's default (one epoch where it has none).
    /// </summary>
    public long TotalSteps(long samples, long? defaultSteps)
    {
        long batches = (samples + BatchSize - 1) / BatchSize;
        return Epochs is { } epochs ? epochs * batches : Steps ?? defaultSteps ?? batches;
    }

    /// <summary>These settings with the ones a checkpoint records taken from it.</summary>
    public TrainingSettings RecordedIn(CheckpointState state) => this with
    {
        Rule = state.Rule,
        Loss = state.ToLossSettings(),
        Optimizer = state.Optimizer,
        LearningRate = state.LearningRate,
        Momentum = state.Momentum,
        WeightDecay = state.WeightDecay,
        LearningRateSchedule = state.LearningRateSchedule,
        BatchSize = state.BatchSize,
        Shuffle = state.Shuffle,
        Seed = state.Seed,
        Precision = state.Precision,
        BatchNorm = state.BatchNorm,
        Untie = state.Untie,
        NumClasses = state.NumClasses,
        ValidationSplit = state.ValidationSplit,
        // Null where the state has none: the rule's defaults fill in (RuleKnobs).
        InferenceSteps = state.InferenceSteps,
        Gamma = state.Gamma,
        EnergyTolerance = state.EnergyTolerance,
        OutputWeight = state.OutputWeight,
        PcSteps = state.PcSteps,
        // A state from before augmentation was recorded takes the one given, as such runs were resumed.
        Augmentation = state.Version >= CheckpointState.AugmentVersion
            ? state.Augment is { } augment ? ImageAugmentation.Parse(augment) : null
            : Augmentation,
        Preprocessing = state.Version >= CheckpointState.PreprocessVersion
            ? state.Preprocess is { } spec ? ImagePreprocessing.FromJson(spec) : null
            : Preprocessing,
        Frozen = state.Frozen ?? [],
    };

    /// <summary>The run state a checkpoint records for these settings at <paramref name="step"/>.</summary>
    public CheckpointState ToCheckpointState(long step) =>
        new(step, Rule, Loss.Name, Optimizer, LearningRate, BatchSize, Shuffle, Seed, PrecisionValue.ToString().ToLowerInvariant(),
            WeightDecay, Momentum, LearningRateSchedule, ValidationSplit)
        {
            InferenceSteps = InferenceSteps,
            Gamma = Gamma,
            EnergyTolerance = EnergyTolerance,
            OutputWeight = OutputWeight,
            PcSteps = PcSteps,
            Untie = Untie,
            NumClasses = NumClasses,
            Frozen = Frozen is { Count: > 0 } frozen ? frozen : null,
            BatchNorm = BatchNorm,
            Reduction = Loss.Reduction.Name(),
            ClassAxis = Loss.ClassAxis,
            LabelSmoothing = Loss.LabelSmoothing,
            Augment = Augmentation?.Describe(),
            Preprocess = Preprocessing?.ToJson(),
        };
}
