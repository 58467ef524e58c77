using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Runs a rule one sample at a time and averages, for models whose graph fixes the batch dimension at 1.
/// The batch-mean loss is the mean of the per-sample losses, and every rule's update is linear in the loss, so
/// the mean of the per-sample updates is exactly the batch update (for Z-IL as for BP). Rewriting the batch
/// dimension instead is not provably safe: a constant shape inside the graph can mix samples without failing.
/// </summary>
public sealed class PerSampleRule(ILearningRule inner) : ILearningRule
{
    public string Name => inner.Name;

    /// <summary>The rule each sample runs.</summary>
    public ILearningRule Inner => inner;

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss)
    {
        using var scope = NewDisposeScope();
        long samples = batch.Targets.shape[0];
        Dictionary<string, Tensor>? sums = null;
        double lossSum = 0;
        int? inferenceSteps = null;
        var outputs = new List<Tensor>();
        for (long i = 0; i < samples; i++)
        {
            var one = new Batch(batch.Inputs.ToDictionary(p => p.Key, p => p.Value.narrow(0, i, 1)), batch.Targets.narrow(0, i, 1));
            var result = inner.Compute(model, one, loss);
            lossSum += result.Loss;
            if (result.InferenceSteps is { } n) inferenceSteps = Math.Max(inferenceSteps ?? 0, n);
            outputs.Add(result.Output);
            if (sums == null) sums = result.Updates;
            else foreach (var (name, update) in result.Updates) sums[name].AddInPlace(update);
        }
        var updates = sums!.ToDictionary(p => p.Key, p => p.Value.DivInPlace(samples).MoveToOuterDisposeScope());
        // The most inference steps any sample took (`il --tol` may stop each sample at its own step).
        return new RuleResult(updates, lossSum / samples, cat(outputs, 0).MoveToOuterDisposeScope()) { InferenceSteps = inferenceSteps };
    }
}
