using System.Diagnostics;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Distributed;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Settings;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Training;

/// <summary>
/// Runs training steps: the rule computes the update, BP computes its own on the same batch and
/// parameters when the step is due for verification, and the optimizer applies the rule's update (BP is
/// only the witness). Under data parallelism (<see cref="Reducer"/>) each process computes its shard of the global
/// batch, and the shard's update is reduced to the global batch's before the optimizer applies it, so every process
/// takes the same step. Disposing it stops the preparation of the batches ahead (<see cref="BatchPrefetcher"/>).
/// </summary>
public sealed class Trainer(PcnModel model, ILearningRule rule, ILoss loss, IOptimizer optimizer, DataSet data, BatchOrder order,
    VerificationPolicy verification)
    : IDisposable
{
    // A PCN built for a fixed batch smaller than this process's batch (a model whose graph fixes it) trains the batch in chunks of that
    // size.
    private ILearningRule Rule => ChunkedRule.For(rule, model.Graph.DataInputs.First().Shape[0], order.BatchSize / Reducer.Ranks);
    private ILearningRule Witness => ChunkedRule.For(new Backprop(), model.Graph.DataInputs.First().Shape[0],
        order.BatchSize / Reducer.Ranks);
    private BatchPrefetcher? _prefetcher;
    private BatchPrefetcher Batches => _prefetcher ??= new(data, step => Reducer.ShardOf(order.IndicesOf(step)), order.PassOf, model.DType);

    /// <summary>How this process's share of a batch becomes the global batch's update (data parallelism), or none.</summary>
    public IUpdateReducer Reducer { get; init; } = NoReduction.Instance;

    public PcnModel Model => model;
    public IOptimizer Optimizer => optimizer;

    /// <summary>Stops the run on NaN, Inf or an oversized update before it reaches the parameters.</summary>
    public NumericalGuard Guard { get; init; } = new();

    /// <summary>The number of steps taken so far (also the index of the next batch).</summary>
    public long StepsTaken { get; set; }

    /// <summary>
    /// Batch statistics and per-step masks are drawn over the whole batch the PCN sees. A model trained in chunks of its fixed batch,
    /// or a batch split across processes, would normalize each piece with its own statistics (or share one mask among
    /// the samples), which is not the network PyTorch trains; such runs are refused.
    /// </summary>
    private void CheckBatchCoupling()
    {
        var (coupled, remedy) = model.RunningStatistics.Any
            ? ("BatchNormalization with batch statistics", $"use {Setting.BatchNormStatistics} frozen")
            : model.Graph.Vertices.Any(v => v.Op is Converter.Ops.DropoutSpec) ? ("training-mode Dropout", "export the model in eval mode")
            : default;
        if (coupled == null) return;
        long graphBatch = model.Graph.DataInputs.First().Shape[0];
        string? split = graphBatch < order.BatchSize / Reducer.Ranks
            ? $"the model fixes its batch dimension at {graphBatch}, so each batch is trained in chunks of {graphBatch}"
            : Reducer.Ranks > 1 ? $"each batch is split across {Reducer.Ranks} processes" : null;
        if (split != null)
            throw new ModelSettingException(model.Graph.File, $"{coupled} works on the whole batch at once, but {split}; {remedy}");
    }

    public TrainingStep Step()
    {
        try
        {
            return StepOrFail();
        }
        catch (Exception e) when (OutOfMemory.Is(e))
        {
            // The pre-flight estimate (StepMemoryCheck) passed, yet an allocation failed: other processes took the memory,
            // or the estimate fell short. The step's tensors are released by its dispose scope; the parameters are untouched.
            throw new StepMemoryException($"{Setting.BatchSize} {order.BatchSize}: step {StepsTaken + 1} ran out of memory " +
                $"({OutOfMemory.Describe(e)}); use a smaller {Setting.BatchSize}", e);
        }
    }

    private TrainingStep StepOrFail()
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var batch = Batches.Take(StepsTaken, model.Device);
        CheckBatchCoupling();
        model.DropoutMasks?.BeginStep(StepsTaken);
        var (shard, reference) = VerifiedStep.Compute(Rule, verification.IsDue(StepsTaken) ? Witness : null, model, batch, loss,
            verification.Beside);
        using var _ = shard;
        IReadOnlyList<ParameterDivergence>? divergences = null;
        if (reference != null)
            using (reference)
                // Each process verifies its shard; the step's divergence is the largest any shard has.
                divergences = Reducer.Reduce(ParameterDivergence.Compare(shard.Updates, reference.Updates, overwriteBackprop: true));
        // The global update's tensors live in this step's dispose scope; the shard's output is disposed with the shard.
        var (result, accuracy) = Reducer.Reduce(shard, data.HasLabels ? Metrics.Accuracy(shard.Output, batch.Targets, loss) : double.NaN);
        // A non-finite loss or update is a numerical failure whatever BP says: in a blow-up BP's update is as NaN as the
        // rule's and their divergence is NaN too, so the guard speaks first and names where the blow-up began.
        try
        {
            Guard.Check(result, StepsTaken, model, batch, loss, rule);
        }
        catch (NumericalFailureException e) when (divergences != null)
        {
            // The failure carries the step's divergences, so that a report (verify) still shows them.
            throw e.WithDivergences(divergences);
        }
        // Both checks come before the update is applied, so a failed run leaves the parameters of the last good step.
        if (verification.StopOnFailure && divergences?.Worst() is { } worst && !(worst.MaxRel <= verification.Tolerance))
            throw new VerificationFailedException(
                $"step {StepsTaken + 1}: rule '{rule.Name}' diverges from backprop on parameter '{worst.Name}' by {worst.MaxRel:E3} " +
                    $"(relative), over the tolerance {verification.Tolerance:E1}",
                divergences!);
        // PyTorch's train mode moves the running statistics in the step's forward pass, with the parameters before the step.
        if (model.RunningStatistics.Any) model.RunningStatistics.Update(model.Forward(batch.Inputs));
        optimizer.Step(model.Parameters, result.Updates);
        StepsTaken++;
        return new TrainingStep(StepsTaken, result.Loss, accuracy, divergences, clock.Elapsed) { InferenceSteps = result.InferenceSteps };
    }

    public void Dispose() => _prefetcher?.Dispose();
}
