using System.CommandLine;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Models;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Training;
using static TorchSharp.torch;

namespace ZilOnnx.Cli.Benchmarking;

/// <summary>
/// What a benchmark times, built once and shared by every rule: the PCN, the loss, the optimizer settings and a few
/// batches, drawn from --data or made up (random inputs of the model's input shape, random labels of its classes).
/// </summary>
public sealed class BenchSetup : IDisposable
{
    /// <summary>Distinct batches the timed steps cycle through (so no step sees exactly the previous one's batch).</summary>
    public const int DistinctBatches = 4;

    private BenchSetup(ModelSource source, PcnModel model, ILoss loss, Precision precision, int batchSize, long graphBatch,
        IReadOnlyList<Batch> batches, string data, DataSet? dataSet, Func<IOptimizer> newOptimizer, string optimizerText)
    {
        Source = source; Model = model; Loss = loss; Precision = precision; BatchSize = batchSize; GraphBatch = graphBatch;
        Batches = batches; Data = data; DataSet = dataSet; NewOptimizer = newOptimizer; OptimizerText = optimizerText;
    }

    /// <summary>The memory the data may take (--max-data-gb), for data the benchmark loads later (--epoch).</summary>
    public DataBudget Budget { get; private init; } = null!;

    /// <summary>--verify-beside: zil+verify runs backprop's backward beside Z-IL's sweep.</summary>
    public bool VerifyBeside { get; private init; }

    public ModelSource Source { get; }
    public PcnModel Model { get; }
    public ILoss Loss { get; }
    public Precision Precision { get; }
    public int BatchSize { get; }
    /// <summary>
    /// The batch the PCN is built for: the batch size, or the smaller one the model fixes, in chunks of which every rule runs,
    /// as the trainer does.
    /// </summary>
    public long GraphBatch { get; }
    public IReadOnlyList<Batch> Batches { get; }
    /// <summary>Where the batches came from: a data source or "synthetic".</summary>
    public string Data { get; }
    /// <summary>The data set of --data, or null for synthetic batches.</summary>
    public DataSet? DataSet { get; }
    /// <summary>A fresh optimizer with the command line's settings (one per rule, so no rule shares another's state).</summary>
    public Func<IOptimizer> NewOptimizer { get; }
    public string OptimizerText { get; }
    public List<string> Notices { get; } = [];

    /// <param name="rules">The rules to be timed (<see cref="BenchRule.NamesOf"/>): the largest of their steps must fit in memory.</param>
    public static BenchSetup Create(string modelPath, ParseResult parse, TrainingOptions options, long totalSteps,
        IReadOnlyList<string> rules)
    {
        // A benchmark never resumes a run: the settings are the command line's.
        var settings = TrainingSettingsResolver.Given(parse, options);
        var budget = DataBudget.Of(settings.MaxDataGb);
        var loss = settings.Loss.Create();
        int batchSize = settings.BatchSize, seed = settings.Seed;
        var notices = new List<string>();
        var source = TransferSetup.ApplySurgery(ModelSource.Load(modelPath), settings.NumClasses, settings.Reinit, seed, resumed: false,
            notices);
        string inputName = TrainingInput.Resolve(source, "a benchmark", notices);

        DataSet? data = settings.Data == null ? null : TrainingInput.LoadTraining(source, inputName, settings, budget);
        if (data != null && settings.Augmentation is { } augmentation) data = data.WithAugmentation(augmentation, seed);
        long[] sampleShape = data != null ? data.Inputs.Shape[1..]
            : SyntheticSampleShape(modelPath, inputName, ModelInputs.DeclaredShape(source.Model, inputName),
                ModelInputs.IsIntegerInput(source.Model, inputName));

        long graphBatch = TrainingInput.GraphBatch(source, inputName, batchSize, ranks: 1, "run", notices);
        var graphOptions = TrainingInput.GraphOptions(settings, loss, inputName, [graphBatch, .. sampleShape]);
        var (graph, _) = TransferSetup.BuildGraph(source, graphOptions, settings.Selection, recorded: null, notices);
        var precision = settings.PrecisionValue;
        var model = new PcnModel(graph, precision, DeviceSelection.Resolve(settings.Device));
        // Before the batches are made: the rules run one after another, so the largest of their steps is what must fit.
        string optimizerName = settings.Optimizer;
        var largestStep = rules.Select(r => BenchRule.EstimateStepMemory(r, graph, precision, optimizerName, settings.VerifyBeside))
            .MaxBy(e => e.Total)!;
        StepMemoryCheck.EnsureFits(largestStep, batchSize, model.Device);

        IReadOnlyList<Batch> batches;
        string description;
        if (data != null)
        {
            DataValidation.Check(data, graph.TrainingOutput.Shape, loss);
            var order = new BatchOrder(data.Count, batchSize, settings.Shuffle, seed);
            batches = Enumerable.Range(0, DistinctBatches)
                .Select(k => data.Take(order.IndicesOf(k), model.DType, model.Device, order.PassOf(k))).ToList();
            description = data.Source;
        }
        else
        {
            batches = SyntheticBatches(graph, inputName, loss, batchSize, sampleShape, model, seed);
            description = "synthetic";
        }

        TrainingSettingsResolver.CheckMomentumApplies(parse, options, settings.Optimizer);
        var schedule = settings.Schedule(totalSteps);
        IOptimizer NewOptimizer() => settings.CreateOptimizer(schedule);
        NewOptimizer(); // fails here, before any timing, when a setting is wrong
        var setup = new BenchSetup(source, model, loss, precision, batchSize, graphBatch, batches, description, data, NewOptimizer,
            $"{optimizerName.ToLowerInvariant()} lr {settings.LearningRate}")
        {
            Budget = budget,
            VerifyBeside = settings.VerifyBeside,
        };
        setup.Notices.AddRange(notices);
        if (data != null) setup.Notices.AddRange(data.Notices.Select(SettingFlags.Say));
        return setup;
    }

    /// <summary>One sample's shape from the model's declared input: every dimension but the batch must be a number.</summary>
    private static long[] SyntheticSampleShape(string modelPath, string inputName, IReadOnlyList<long?> declared, bool integerInput)
    {
        if (integerInput)
            throw new ArgumentException($"{modelPath}: input '{inputName}' takes integer ids, which cannot be made up " +
                "without knowing the vocabulary; give --data");
        if (declared.Count == 0 || declared.Skip(1).Any(d => d == null))
        {
            string shape = declared.Count == 0 ? "no shape" : "[" + string.Join(", ", declared.Select(d => d?.ToString() ?? "?")) + "]";
            throw new ArgumentException($"{modelPath}: input '{inputName}' does not declare a fixed shape besides its batch dimension " +
                                        $"({shape}); give --data");
        }
        return declared.Skip(1).Select(d => d!.Value).ToArray();
    }

    /// <summary>
    /// Inputs uniform in [0, 1); for ce labels uniform over the output's classes (its class axis), for bce targets uniform in
    /// [0, 1), for mse and l1 normal targets, shaped like the output.
    /// </summary>
    private static List<Batch> SyntheticBatches(PcGraph graph, string inputName, ILoss loss, int batchSize, long[] sampleShape,
        PcnModel model, int seed)
    {
        var generator = new Generator((ulong)seed);
        long[] output = graph.TrainingOutput.Shape[1..];
        var batches = new List<Batch>();
        for (int k = 0; k < DistinctBatches; k++)
        {
            var x = rand([batchSize, .. sampleShape], generator: generator, dtype: ScalarType.Float64).to(model.DType, model.Device);
            var y = loss switch
            {
                CrossEntropyLoss ce => randint(0, output[ce.ClassAxisOf(output.Length + 1) - 1], ce.LabelShape([batchSize, .. output]),
                    generator: generator, dtype: ScalarType.Int64).to(model.Device),
                BinaryCrossEntropyLoss =>
                    rand([batchSize, .. output], generator: generator, dtype: ScalarType.Float64).to(model.DType, model.Device),
                _ => randn([batchSize, .. output], generator: generator, dtype: ScalarType.Float64).to(model.DType, model.Device),
            };
            batches.Add(new Batch(new Dictionary<string, Tensor> { [inputName] = x }, y));
        }
        return batches;
    }

    public void Dispose()
    {
        foreach (var batch in Batches)
        {
            foreach (var x in batch.Inputs.Values) x.Dispose();
            batch.Targets.Dispose();
        }
        Model.Dispose();
    }
}
