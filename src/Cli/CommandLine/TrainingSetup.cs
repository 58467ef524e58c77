using System.CommandLine;
using ZilOnnx.Cli.Models;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
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
        DataSet? heldOut, BatchOrder order, long totalSteps, CheckpointState? resumed, TrainingSettings settings)
    {
        Source = source; Model = model; Rule = rule; Loss = loss; Optimizer = optimizer; Data = data; HeldOut = heldOut;
        Order = order; TotalSteps = totalSteps; Resumed = resumed; Settings = settings;
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
    public Precision Precision => Settings.PrecisionValue;
    /// <summary>The checkpoint this run continues from, if the model argument was one.</summary>
    public CheckpointState? Resumed { get; }
    /// <summary>The run's settings as it resolved them (its schedule's T and its frozen initializers filled in).</summary>
    public TrainingSettings Settings { get; }
    /// <summary>The run's settings, as a checkpoint records them (Step is filled in when saving).</summary>
    public CheckpointState State => Settings.ToCheckpointState(Resumed?.Step ?? 0);

    /// <summary>Things the user should know about how the run was set up.</summary>
    public List<string> Notices { get; } = [];

    public double Tolerance(ParseResult parse, TrainingOptions options) =>
        parse.GetValue(options.Tolerance) ?? Precision.DefaultTolerance();

    /// <param name="validation">Held-out evaluation options (finetune), or null.</param>
    /// <param name="ranks">Processes each global batch is split across (--distributed mpi); the PCN is built for one shard.</param>
    public static TrainingSetup Create(string modelPath, ParseResult parse, TrainingOptions options, long? defaultSteps,
        ValidationOptions? validation = null, int ranks = 1)
    {
        var loaded = ModelSource.Load(modelPath);
        var checkpoint = ReadCheckpoint(loaded);
        var settings = TrainingSettingsResolver.Resolve(parse, options, validation, checkpoint, modelPath);
        return Build(settings, loaded, checkpoint, new Steps(defaultSteps, options.LearningRateSchedule, modelPath), ranks);
    }

    /// <summary>What the run's step count and schedule are resolved with once the data are loaded.</summary>
    private sealed record Steps(long? Default, Option ScheduleOption, string ModelPath);

    private static TrainingSetup Build(TrainingSettings settings, ModelSource loaded, CheckpointState? checkpoint, Steps steps, int ranks)
    {
        var budget = DataBudget.Of(settings.MaxDataGb);
        ThreadCount.Apply(settings.Threads);
        var notices = new List<string>();
        var loss = settings.Loss.Create();
        var source = TransferSetup.ApplySurgery(loaded, settings.NumClasses, settings.Reinit, settings.Seed, checkpoint != null, notices);
        string inputName = TrainingInput.Resolve(source, "training", notices);
        var (data, heldOut) = LoadData(settings, source, inputName, budget, notices);
        int batchSize = settings.BatchSize;
        if (batchSize % ranks != 0)
            throw new ArgumentException($"--batch-size {batchSize} does not split into {ranks} equal shards, one per MPI rank: " +
                $"give a multiple of {ranks}");
        if (checkpoint is { Manifest: null } legacy)
            notices.Add($"{steps.ModelPath} was written before checkpoints carried a manifest (run state version {legacy.Version}): " +
                        "whether its model, parameters and data are the ones it was written with cannot be checked");
        NoteData(data, heldOut, batchSize, notices);
        // Every training batch has exactly batchSize samples (batches wrap around), so the PCN is built for that
        // shape, unless the model fixes its batch dimension: then for that fixed size, trained in chunks of it.
        long[] batchShape = [TrainingInput.GraphBatch(source, inputName, batchSize, ranks, "trained", notices), .. data.Inputs.Shape[1..]];
        var (graph, frozen) = TransferSetup.BuildGraph(source, TrainingInput.GraphOptions(settings, loss, inputName, batchShape),
            settings.Selection, settings.Frozen, notices);

        // Targets are checked against the output the loss will see, before anything is trained.
        DataValidation.Check(data, graph.TrainingOutput.Shape, loss);
        if (heldOut != null) DataValidation.Check(heldOut, graph.TrainingOutput.Shape, loss);

        var precision = settings.PrecisionValue;
        // A streamed data set's samples stay in their files; what it holds beyond its file list is the batches prepared ahead.
        if (data.IsStreamed)
            budget.Reserve(data.Source, $"{BatchPrefetcher.Depth} batches of {batchSize} prepared ahead of the step",
                BatchPrefetcher.HeldBytes(data, batchSize, precision == Precision.Float64 ? sizeof(double) : sizeof(float)));
        Device device = DeviceSelection.Resolve(settings.Device);
        if (settings.Ablation is { } ablation) notices.AddRange(AblationReach.Notes(graph, ablation).Select(SettingFlags.Say));
        var model = new PcnModel(graph, precision, device) { DropoutMasks = new DropoutMasks(settings.Seed) };
        var rule = settings.CreateRule();
        var order = new BatchOrder(data.Count, batchSize, settings.Shuffle, settings.Seed);
        long totalSteps = settings.TotalSteps(data.Count, steps.Default);
        var schedule = TrainingSettingsResolver.Schedule(settings, totalSteps, steps.ScheduleOption, steps.ModelPath);
        var optimizer = settings.CreateOptimizer(schedule);
        // Before any step: a batch that cannot fit is refused here rather than failing (or aborting) inside libtorch.
        StepMemoryCheck.EnsureFits(StepMemoryEstimate.For(graph, precision, rule, optimizer.Name, beside: settings.VerifyBeside), batchSize,
            device);
        if (checkpoint is { } resumed)
            FromCheckpoint(steps.ModelPath, () =>
            {
                Checkpoint.Restore(source.Entries, model, optimizer, resumed.Step, resumed.Manifest);
                return 0;
            });
        var run = settings with
        {
            LearningRateSchedule = schedule.ToString(),
            ContinuedSchedule = null,
            Frozen = frozen.Order(StringComparer.Ordinal).ToList(),
        };
        var setup = new TrainingSetup(source, model, rule, loss, optimizer, data, heldOut, order, totalSteps, checkpoint, run);
        setup.Notices.AddRange(notices);
        return setup;
    }

    private static void NoteData(DataSet data, DataSet? heldOut, int batchSize, List<string> notices)
    {
        notices.AddRange(data.Notices.Select(SettingFlags.Say));
        if (heldOut != null) notices.AddRange(heldOut.Notices.Except(data.Notices).Select(SettingFlags.Say));
        if (data.Count % batchSize != 0)
            notices.Add($"{data.Count} samples do not fill batches of {batchSize} evenly: the last batch of each pass is completed " +
                        $"with the first {batchSize - data.Count % batchSize} samples of the next pass, so no sample is left out");
    }

    /// <summary>
    /// The training data and the held-out data (a split of them, or --val-data), the training samples augmented: the
    /// held-out split is drawn first, so augmentation is for the training samples only.
    /// </summary>
    private static (DataSet Data, DataSet? HeldOut) LoadData(TrainingSettings settings, ModelSource source, string inputName,
        DataBudget budget, List<string> notices)
    {
        var data = TrainingInput.LoadTraining(source, inputName, settings, budget);
        DataSet? heldOut;
        (data, heldOut) = ValidationOptions.Apply(settings.ValidationSplit, settings.ValidationData, data, settings.Seed,
            argument => TrainingInput.Load(source, inputName, settings, argument, DataSplit.Test, budget));
        if (settings.Augmentation is { } augmentation)
        {
            data = data.WithAugmentation(augmentation, settings.Seed);
            notices.Add($"--augment {augmentation.Describe()}: each training batch is augmented, drawn from --seed {settings.Seed}, " +
                "the sample and the pass over the data");
        }
        return (data, heldOut);
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

    public void Dispose() => Model.Dispose();
}
