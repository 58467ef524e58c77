using System.CommandLine;
using ZilOnnx.Cli.Models;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Data.Preprocessing;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Training;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>Everything a training command needs, built from the parsed options in one place.</summary>
public sealed class TrainingSetup : IDisposable
{
    private TrainingSetup(ModelSource source, PcnModel model, ILearningRule rule, ILoss loss, IOptimizer optimizer, DataSet data,
        DataSet? heldOut, BatchOrder order, long totalSteps, Precision precision, CheckpointState? resumed, CheckpointState state)
    {
        Source = source; Model = model; Rule = rule; Loss = loss; Optimizer = optimizer; Data = data; HeldOut = heldOut;
        Order = order; TotalSteps = totalSteps; Precision = precision; Resumed = resumed; State = state;
    }

    public ModelSource Source { get; }
    public PcnModel Model { get; }
    public ILearningRule Rule { get; }
    public ILoss Loss { get; }
    public IOptimizer Optimizer { get; }
    public DataSet Data { get; }
    /// <summary>Data to evaluate on during training (--val-split / --val-data), or null.</summary>
    public DataSet? HeldOut { get; }
    public BatchOrder Order { get; }
    public long TotalSteps { get; }
    public Precision Precision { get; }
    /// <summary>The checkpoint this run continues from, if the model argument was one.</summary>
    public CheckpointState? Resumed { get; }
    /// <summary>The run's settings, as a checkpoint records them (Step is filled in when saving).</summary>
    public CheckpointState State { get; }

    /// <summary>Things the user should know about how the run was set up.</summary>
    public List<string> Notices { get; } = [];

    public double Tolerance(ParseResult parse, TrainingOptions options) => parse.GetValue(options.Tolerance) ?? Precision.DefaultTolerance();

    /// <param name="validation">Held-out evaluation options (finetune), or null.</param>
    /// <param name="ranks">Processes each global batch is split across (--distributed mpi); the PCN is built for one shard.</param>
    public static TrainingSetup Create(string modelPath, ParseResult parse, TrainingOptions options, long? defaultSteps,
        ValidationOptions? validation = null, int ranks = 1)
    {
        var budget = DataBudgetOption.Resolve(parse, options.MaxDataGb);
        ThreadCount.Apply(parse.GetValue(options.Threads));
        var loaded = ModelSource.Load(modelPath);
        var run = new ResumedSettings(parse, ReadCheckpoint(loaded), modelPath);
        var lossSettings = options.LossSettings(run);
        var loss = lossSettings.Create();
        int seed = run.Get(options.Seed, r => r.Seed);
        var notices = new List<string>();
        int? numClasses = run.Get(options.Transfer.NumClasses, r => r.NumClasses);
        var source = TransferSetup.ApplySurgery(loaded, numClasses, seed, run.Resumed != null, notices);
        // --ablate replaces the rule with PC dynamics that break the named Z-IL conditions.
        var ablation = parse.GetValue(options.Ablate);
        var ablated = ablation is { Length: > 0 } ? Ablation.Parse(ablation, seed, parse.GetValue(options.LearningRate)) : null;
        string inputName = TrainingInput.Resolve(source, "training", notices);
        var preprocessing = options.Preprocessing.Resolve(parse);
        DataSet Load(string argument, DataSplit split) => DataSources.Load(argument, split, inputName,
            ModelInputs.DeclaredShape(source.Model, inputName), ModelInputs.IsIntegerInput(source.Model, inputName), budget,
            parse.GetValue(options.LabelColumn), preprocessing);
        DataSources.CheckLabelColumnApplies(parse.GetValue(options.Data)!, parse.GetValue(options.LabelColumn));
        var data = Load(parse.GetValue(options.Data)!, DataSplit.Train);
        DataSet? heldOut = null;
        double? heldOutFraction = null;
        if (validation != null)
        {
            heldOutFraction = run.Get(validation.Split, r => r.ValidationSplit);
            (data, heldOut) = validation.Apply(parse, heldOutFraction, data, seed, argument => Load(argument, DataSplit.Test));
        }
        // After the held-out split: augmentation is for the training samples only.
        var augment = ResolveAugmentation(parse, options, run);
        if (augment is { } augmentation)
        {
            data = data.WithAugmentation(augmentation, seed);
            notices.Add($"--augment {augmentation.Describe()}: each training batch is augmented, drawn from --seed {seed}, the sample and the pass over the data");
        }
        int batchSize = run.Get(options.BatchSize, r => r.BatchSize);
        if (batchSize < 1) throw new ArgumentException("--batch-size must be positive");
        if (batchSize % ranks != 0)
            throw new ArgumentException($"--batch-size {batchSize} does not split into {ranks} equal shards, one per MPI rank: give a multiple of {ranks}");
        // Every training batch has exactly batchSize samples (batches wrap around), so the PCN is built for that
        // shape, unless the model fixes its batch dimension: then for that fixed size, trained in chunks of it.
        if (run.Resumed is { Manifest: null } legacy)
            notices.Add($"{modelPath} was written before checkpoints carried a manifest (run state version {legacy.Version}): whether its model, " +
                        "parameters and data are the ones it was written with cannot be checked");
        notices.AddRange(data.Notices);
        if (heldOut != null) notices.AddRange(heldOut.Notices.Except(data.Notices));
        if (data.Count % batchSize != 0)
            notices.Add($"{data.Count} samples do not fill batches of {batchSize} evenly: the last batch of each pass is completed with the first " +
                        $"{batchSize - data.Count % batchSize} samples of the next pass, so no sample is left out");
        long[] batchShape = [TrainingInput.GraphBatch(source, inputName, batchSize, ranks, "trained", notices), .. data.Inputs.Shape[1..]];
        bool untie = run.Get(options.Untie, r => r.Untie);
        string? batchNorm = run.Get(options.BatchNorm, r => r.BatchNorm);
        var (graph, frozen) = TransferSetup.BuildGraph(source, new PcGraphOptions
        {
            Untie = untie,
            BatchNorm = batchNorm switch { "batch" => BatchNormStatistics.Batch, "frozen" => BatchNormStatistics.Frozen, _ => null },
            TrainOnLogits = loss.AppliesSoftmax,
            TrainBeforeSigmoid = loss.AppliesSigmoid,
            Levelling = ablated?.Levelling ?? true,
            InputShapes = new Dictionary<string, long[]> { [inputName] = batchShape },
        }, options.Transfer.Selection(parse), run.Resumed is { } checkpointed ? checkpointed.Frozen ?? [] : null, notices);

        // Targets are checked against the output the loss will see, before anything is trained.
        DataValidation.Check(data, graph.TrainingOutput.Shape, loss);
        if (heldOut != null) DataValidation.Check(heldOut, graph.TrainingOutput.Shape, loss);

        var precision = PrecisionExtensions.Parse(run.Get(options.Precision, r => r.Precision));
        // A streamed data set's samples stay in their files; what it holds beyond its file list is the batches prepared ahead.
        if (data.IsStreamed)
            budget.Reserve(data.Source, $"{BatchPrefetcher.Depth} batches of {batchSize} prepared ahead of the step",
                BatchPrefetcher.HeldBytes(data, batchSize, precision == Precision.Float64 ? sizeof(double) : sizeof(float)));
        Device device = DeviceSelection.Resolve(parse.GetValue(options.Device)!);
        if (ablated != null) notices.AddRange(AblationReach.Notes(graph, ablated));
        var model = new PcnModel(graph, precision, device) { DropoutMasks = new DropoutMasks(seed) };
        string ruleName = run.Get(options.Rule, r => r.Rule);
        var (inferenceSteps, gamma, energyTolerance) = ResolveIlSettings(options, run, ruleName);
        var rule = RuleFactory.Create(ruleName, ablated?.Dynamics, inferenceSteps ?? Il.DefaultInferenceSteps, gamma ?? Il.DefaultGamma, energyTolerance);
        bool shuffle = ResolveShuffle(parse, options, run, modelPath);
        var order = new BatchOrder(data.Count, batchSize, shuffle, seed);
        long totalSteps = CountSteps(parse, options, data.Count, batchSize, defaultSteps);

        string optimizerName = run.Get(options.Optimizer, r => r.Optimizer);
        double learningRate = run.Get(options.LearningRate, r => r.LearningRate);
        var settings = OptimizerSettings.Resolve(parse, options, optimizerName, totalSteps, run);
        var optimizer = OptimizerFactory.Create(optimizerName, learningRate, settings.Momentum, settings.WeightDecay, settings.Schedule);
        // Before any step: a batch that cannot fit is refused here rather than failing (or aborting) inside libtorch.
        StepMemoryCheck.EnsureFits(StepMemoryEstimate.For(graph, precision, rule, optimizer.Name), batchSize, device);
        if (run.Resumed is { } resumed)
            FromCheckpoint(modelPath, () => { Checkpoint.Restore(source.Entries, model, optimizer, resumed.Step, resumed.Manifest); return 0; });
        var state = new CheckpointState(run.Resumed?.Step ?? 0, ruleName, lossSettings.Name, optimizerName, learningRate, batchSize, shuffle, seed,
            precision.ToString().ToLowerInvariant(), settings.WeightDecay, settings.Momentum, settings.Schedule.ToString(), heldOutFraction)
        {
            InferenceSteps = inferenceSteps,
            Gamma = gamma,
            EnergyTolerance = energyTolerance,
            Untie = untie,
            NumClasses = numClasses,
            Frozen = frozen.Count > 0 ? frozen.Order(StringComparer.Ordinal).ToList() : null,
            BatchNorm = batchNorm,
            Reduction = lossSettings.Reduction.Name(),
            ClassAxis = lossSettings.ClassAxis,
            LabelSmoothing = lossSettings.LabelSmoothing,
            Augment = augment?.Describe(),
        };
        var setup = new TrainingSetup(source, model, rule, loss, optimizer, data, heldOut, order, totalSteps, precision, run.Resumed, state);
        setup.Notices.AddRange(notices);
        return setup;
    }

    /// <summary>
    /// The run state of a checkpoint (null for a plain model), checked against its manifest before the data are
    /// loaded: a checkpoint whose model entry was swapped would otherwise fail on the data, naming the wrong file.
    /// </summary>
    private static CheckpointState? ReadCheckpoint(ModelSource source) => FromCheckpoint(source.Path, () =>
    {
        var state = Checkpoint.ReadState(source.Entries);
        if (state != null) Checkpoint.CheckManifest(source.Entries, source.ModelSha256 ?? "", state);
        return state;
    });

    /// <summary>
    /// Reads what a checkpoint holds besides its model: the run state and the saved tensors. Whatever fails there comes
    /// from the file (JSON that does not parse, an entry that is not .npy, a saved tensor whose shape does not fit the
    /// model, which libtorch reports with its native trace), so any failure is a bad model file, said in one line.
    /// </summary>
    private static T FromCheckpoint<T>(string modelPath, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            string first = e.Message.Split('\n', 2)[0].Trim();
            throw new OnnxModelException(modelPath, $"the checkpoint cannot be resumed: {first}", e);
        }
    }

    /// <summary>T, gamma and the energy stop of rule il (null for the other rules, which have no such settings), continued like the others on resume.</summary>
    private static (int? InferenceSteps, double? Gamma, double? EnergyTolerance) ResolveIlSettings(TrainingOptions options, ResumedSettings run, string ruleName)
    {
        if (!ruleName.Equals("il", StringComparison.OrdinalIgnoreCase))
        {
            if (run.IsGiven(options.InferenceSteps) || run.IsGiven(options.Gamma) || run.IsGiven(options.EnergyTolerance))
                throw new ArgumentException($"--inference-steps (--T), --gamma and --tol apply to --rule il only, not {ruleName}");
            return (null, null, null);
        }
        return (run.Get(options.InferenceSteps, r => r.InferenceSteps ?? Il.DefaultInferenceSteps),
                run.Get(options.Gamma, r => r.Gamma ?? Il.DefaultGamma),
                run.Get(options.EnergyTolerance, r => r.EnergyTolerance));
    }

    /// <summary>
    /// --augment, continued like the other settings on resume: the checkpoint's when left out, refused when another is
    /// given. A state from before augmentation was recorded takes the one given, as such runs were resumed.
    /// </summary>
    private static ImageAugmentation? ResolveAugmentation(ParseResult parse, TrainingOptions options, ResumedSettings run)
    {
        // crop:0 alone augments nothing, and is recorded as no augmentation.
        var given = options.Preprocessing.ResolveAugmentation(parse) is { } parsed && parsed.Describe().Length > 0 ? parsed : null;
        if (options.Preprocessing.Augment is not { } option || run.Resumed is not { Version: >= CheckpointState.AugmentVersion } resumed) return given;
        string? kept = run.Continue(option, given?.Describe(), resumed.Augment, run.IsGiven(option));
        return kept == null ? null : ImageAugmentation.Parse(kept);
    }

    /// <summary>--shuffle / --no-shuffle, two options for one setting, continued like the others on resume.</summary>
    private static bool ResolveShuffle(ParseResult parse, TrainingOptions options, ResumedSettings run, string modelPath)
    {
        if (parse.GetValue(options.Shuffle) && parse.GetValue(options.NoShuffle)) throw new ArgumentException("--shuffle and --no-shuffle exclude each other");
        bool shuffle = !parse.GetValue(options.NoShuffle);
        if (run.Resumed is not { } resumed) return shuffle;
        if (!run.IsGiven(options.Shuffle) && !run.IsGiven(options.NoShuffle)) return resumed.Shuffle;
        static string Name(bool shuffled) => shuffled ? "--shuffle" : "--no-shuffle";
        return shuffle == resumed.Shuffle ? shuffle
            : throw new ArgumentException($"{modelPath}: the checkpointed run has {Name(resumed.Shuffle)}; {Name(shuffle)} would not continue it (leave both out to keep the checkpoint's)");
    }

    private static long CountSteps(ParseResult parse, TrainingOptions options, long samples, int batchSize, long? defaultSteps)
    {
        long? steps = parse.GetValue(options.Steps);
        int? epochs = parse.GetValue(options.Epochs);
        if (steps != null && epochs != null) throw new ArgumentException("give --steps or --epochs, not both");
        if (epochs != null) return epochs.Value * ((samples + batchSize - 1) / batchSize);
        return steps ?? defaultSteps ?? (samples + batchSize - 1) / batchSize;
    }

    public void Dispose() => Model.Dispose();
}
