using ZilOnnx.Cli.Inference;
using ZilOnnx.Cli.Models;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// How a training command (finetune, verify, bench) feeds a model: the one graph input its data go to, and the batch
/// its PCN is built for. Both are decided here once, so the commands cannot treat a model differently.
/// </summary>
public static class TrainingInput
{
    /// <summary>
    /// The data input the graph reads. Inputs no node reads (Caffe2 conversions in the ONNX model zoo carry one) are
    /// ignored with a note; the exported model keeps them, so whatever fed the original feeds it unchanged.
    /// </summary>
    /// <param name="needs">What needs the one input, for the error: "training", "a benchmark".</param>
    public static string Resolve(ModelSource source, string needs, List<string> notices)
    {
        if (UnusedInputs.Note(source.Path, source.Model) is { } note) notices.Add(note);
        var names = ModelInputs.DataInputNames(source.Model);
        return names.Count == 1
            ? names[0]
            : throw new ArgumentException($"{source.Path}: the model has {names.Count} data inputs; {needs} needs exactly one");
    }

    /// <summary>
    /// The batch the PCN is built for: <paramref name="shardSize"/> (one process's batch), or the model's fixed batch B,
    /// which then takes the batch in chunks of B (exactly the batch update, <see cref="Trainer.Rules.ChunkedRule"/>). A
    /// batch that is not a multiple of B is bad input for this model: exit code 2 naming B.
    /// </summary>
    /// <param name="done">How the note says the batch is used: "trained", "run".</param>
    public static long GraphBatch(ModelSource source, string inputName, int batchSize, int ranks, string done, List<string> notices)
    {
        int shardSize = batchSize / ranks;
        if (ModelInputs.DeclaredShape(source.Model, inputName).FirstOrDefault() is not { } fixedBatch
            || fixedBatch == shardSize) return shardSize;
        if (shardSize % fixedBatch != 0)
            throw new OnnxModelException(source.Path, $"the model fixes its batch dimension at {fixedBatch}: --batch-size {batchSize}" +
                (ranks > 1 ? $" ({shardSize} per MPI rank)" : "")
                    + $" is not a multiple of {fixedBatch}; give a multiple of {fixedBatch * ranks}");
        string how = fixedBatch == 1 ? "one sample at a time" : $"in {shardSize / fixedBatch} chunks of {fixedBatch}";
        notices.Add($"the model fixes its batch dimension at {fixedBatch}: each batch of {batchSize} is {done} {how} and the updates " +
            $"are averaged (exactly the batch update)");
        return fixedBatch;
    }

    /// <summary>The training data (--data), for the model's input, with the settings' label column and preprocessing.</summary>
    public static DataSet LoadTraining(ModelSource source, string inputName, TrainingSettings settings, DataBudget budget)
    {
        DataSources.CheckLabelColumnApplies(settings.Data!, settings.LabelColumn);
        return Load(source, inputName, settings, settings.Data!, DataSplit.Train, budget);
    }

    /// <summary>One split of a DATA argument, for the model's input, with the settings' label column and preprocessing.</summary>
    public static DataSet Load(ModelSource source, string inputName, TrainingSettings settings, string argument, DataSplit split,
        DataBudget budget) =>
        DataSources.Load(argument, split, inputName, ModelInputs.DeclaredShape(source.Model, inputName),
            ModelInputs.IsIntegerInput(source.Model, inputName), budget, settings.LabelColumn, settings.Preprocessing);

    /// <summary>The PCN's options for the settings: the loss decides where training reads the output.</summary>
    /// <param name="inputShape">The data input's shape, batch dimension first.</param>
    public static PcGraphOptions GraphOptions(TrainingSettings settings, ILoss loss, string inputName, long[] inputShape) => new()
    {
        Untie = settings.Untie,
        BatchNorm = settings.BatchNorm switch { "batch" => BatchNormStatistics.Batch, "frozen" => BatchNormStatistics.Frozen, _ => null },
        TrainOnLogits = loss.AppliesSoftmax,
        TrainBeforeSigmoid = loss.AppliesSigmoid,
        Levelling = settings.Ablation?.Levelling ?? true,
        InputShapes = new Dictionary<string, long[]> { [inputName] = inputShape },
    };
}
