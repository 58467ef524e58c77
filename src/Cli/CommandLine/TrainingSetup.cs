using System.CommandLine;
using ZilOnnx.Cli.Models;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>Everything a training command needs, built from the parsed options in one place.</summary>
public sealed class TrainingSetup : IDisposable
{
    private TrainingSetup(ModelSource source, PcnModel model, ILearningRule rule, ILoss loss, IOptimizer optimizer, DataSet data,
        BatchOrder order, long totalSteps, Precision precision, CheckpointState? resumed, CheckpointState state)
    {
        Source = source; Model = model; Rule = rule; Loss = loss; Optimizer = optimizer; Data = data;
        Order = order; TotalSteps = totalSteps; Precision = precision; Resumed = resumed; State = state;
    }

    public ModelSource Source { get; }
    public PcnModel Model { get; }
    public ILearningRule Rule { get; }
    public ILoss Loss { get; }
    public IOptimizer Optimizer { get; }
    public DataSet Data { get; }
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

    /// <param name="ablation">Ablation items (verify --ablate); they replace the rule with ablated PC dynamics.</param>
    public static TrainingSetup Create(string modelPath, ParseResult parse, TrainingOptions options, long? defaultSteps, IReadOnlyList<string>? ablation = null)
    {
        var source = ModelSource.Load(modelPath);
        string lossName = parse.GetValue(options.Loss)!;
        var loss = LossFactory.Create(lossName);
        int seed = parse.GetValue(options.Seed);
        var ablated = ablation is { Count: > 0 } ? Ablation.Parse(ablation, seed, parse.GetValue(options.LearningRate)) : null;
        var inputNames = ModelInputs.DataInputNames(source.Model);
        string inputName = inputNames.Count == 1
            ? inputNames[0]
            : throw new ArgumentException($"{modelPath}: the model has {inputNames.Count} data inputs; training needs exactly one");
        var data = DataSources.Load(parse.GetValue(options.Data)!, DataSplit.Train, inputName, ModelInputs.DeclaredShape(source.Model, inputName),
            ModelInputs.IsIntegerInput(source.Model, inputName));
        int batchSize = parse.GetValue(options.BatchSize);
        if (batchSize < 1) throw new ArgumentException("--batch-size must be positive");
        // Every training batch has exactly batchSize samples (batches wrap around), so the PCN is built for that
        // shape, unless the model fixes its batch dimension: then for that fixed size, trained sample by sample.
        var notices = new List<string>();
        long? fixedBatch = ModelInputs.DeclaredShape(source.Model, inputName).FirstOrDefault();
        long[] batchShape = [fixedBatch ?? batchSize, .. data.Inputs.Shape[1..]];
        if (fixedBatch is { } size && size != batchSize)
        {
            if (size != 1) throw new ArgumentException($"{modelPath}: the model fixes its batch dimension at {size}; train it with --batch-size {size}");
            notices.Add($"the model fixes its batch dimension at 1: each batch of {batchSize} is trained one sample at a time and the updates are averaged (exactly the batch update)");
        }
        var graph = source.BuildGraph(new PcGraphOptions
        {
            TrainOnLogits = loss is CrossEntropyLoss,
            Levelling = ablated?.Levelling ?? true,
            InputShapes = new Dictionary<string, long[]> { [inputName] = batchShape },
        });

        var precision = PrecisionExtensions.Parse(parse.GetValue(options.Precision)!);
        Device device = DeviceSelection.Resolve(parse.GetValue(options.Device)!);
        var model = new PcnModel(graph, precision, device);
        string ruleName = parse.GetValue(options.Rule)!;
        var rule = RuleFactory.Create(ruleName, ablated?.Dynamics);
        if (parse.GetValue(options.Shuffle) && parse.GetValue(options.NoShuffle)) throw new ArgumentException("--shuffle and --no-shuffle exclude each other");
        bool shuffle = !parse.GetValue(options.NoShuffle);
        var order = new BatchOrder(data.Count, batchSize, shuffle, seed);
        long totalSteps = CountSteps(parse, options, data.Count, batchSize, defaultSteps);

        var resumed = Checkpoint.ReadState(source.Entries);
        string optimizerName = parse.GetValue(options.Optimizer)!;
        double learningRate = parse.GetValue(options.LearningRate);
        var settings = OptimizerSettings.Resolve(parse, options, optimizerName, totalSteps, resumed, modelPath);
        var optimizer = OptimizerFactory.Create(optimizerName, learningRate, settings.Momentum, settings.WeightDecay, settings.Schedule);
        if (resumed != null) Checkpoint.Restore(source.Entries, model, optimizer, resumed.Step);
        var state = new CheckpointState(resumed?.Step ?? 0, ruleName, lossName, optimizerName, learningRate, batchSize, shuffle, seed,
            precision.ToString().ToLowerInvariant(), settings.WeightDecay, settings.Momentum, settings.Schedule.ToString());
        var setup = new TrainingSetup(source, model, rule, loss, optimizer, data, order, totalSteps, precision, resumed, state);
        setup.Notices.AddRange(notices);
        return setup;
    }

    private static long CountSteps(ParseResult parse, TrainingOptions options, long samples, int batchSize, long? defaultSteps)
    {
        long? steps = parse.GetValue(options.Steps);
        int? epochs = parse.GetValue(options.Epochs);
        if (steps != null && epochs != null) throw new ArgumentException("give --steps or --epochs, not both");
        if (steps is < 1 || epochs is < 1) throw new ArgumentException("--steps and --epochs must be positive");
        if (epochs != null) return epochs.Value * ((samples + batchSize - 1) / batchSize);
        return steps ?? defaultSteps ?? (samples + batchSize - 1) / batchSize;
    }

    public void Dispose() => Model.Dispose();
}
