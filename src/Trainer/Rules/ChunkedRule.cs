using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Runs a rule on consecutive chunks of a batch and averages, for models whose graph fixes the batch dimension at
/// <paramref name="chunkSize"/> (1 for CNTK's exports, 4 for a torch export at batch 4 without dynamic axes). Every
/// chunk has the same size, so the batch-mean loss is the mean of the chunks' mean losses; every rule's update is
/// linear in the loss, so the mean of the chunks' updates is exactly the batch update (for Z-IL as for BP).
/// Rewriting the batch dimension instead is not provably safe: a constant shape inside the graph can mix samples
/// without failing.
/// </summary>
public sealed class ChunkedRule(ILearningRule inner, long chunkSize) : ILearningRule
{
    public string Name => inner.Name;

    /// <summary>The rule each chunk runs.</summary>
    public ILearningRule Inner => inner;

    public long ChunkSize => chunkSize;

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss)
    {
        using var scope = NewDisposeScope();
        long samples = batch.Targets.size(0);
        if (samples % chunkSize != 0)
            throw new ArgumentException($"a batch of {samples} does not split into chunks of {chunkSize}, the batch size the model fixes");
        long chunks = samples / chunkSize;
        Dictionary<string, Tensor>? sums = null;
        double lossSum = 0;
        int? inferenceSteps = null;
        var outputs = new List<Tensor>();
        for (long i = 0; i < chunks; i++)
        {
            long start = i * chunkSize;
            var chunk = new Batch(batch.Inputs.ToDictionary(p => p.Key, p => p.Value.narrow(0, start, chunkSize)), batch.Targets.narrow(0,
                start, chunkSize));
            var result = inner.Compute(model, chunk, loss);
            lossSum += result.Loss;
            if (result.InferenceSteps is { } n) inferenceSteps = Math.Max(inferenceSteps ?? 0, n);
            outputs.Add(result.Output);
            if (sums == null) sums = result.Updates;
            else foreach (var (name, update) in result.Updates) sums[name].AddInPlace(update);
        }
        var updates = sums!.ToDictionary(p => p.Key, p => p.Value.DivInPlace(chunks).MoveToOuterDisposeScope());
        // The most inference steps any chunk took (`il --tol` may stop each chunk at its own step).
        return new RuleResult(updates, lossSum / chunks, cat(outputs, 0).MoveToOuterDisposeScope()) { InferenceSteps = inferenceSteps };
    }

    /// <summary>
    /// <paramref name="rule"/> as a PCN built for <paramref name="graphBatch"/> samples runs a batch of
    /// <paramref name="batchSize"/>: in chunks when the graph fixes a smaller batch, else as it is.
    /// </summary>
    public static ILearningRule For(ILearningRule rule, long graphBatch, long batchSize) =>
        batchSize > graphBatch ? new ChunkedRule(rule, graphBatch) : rule;
}
