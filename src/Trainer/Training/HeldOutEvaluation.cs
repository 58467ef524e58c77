using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Training;

/// <summary>Loss and top-1 accuracy of the current parameters on a data set, averaged over its samples.</summary>
public sealed record EvaluationResult(long Samples, double Loss, double Accuracy);

/// <summary>
/// The trainer's own evaluation: the PCN forward pass (the same kernels training uses) over a whole data set.
/// The PCN is built for one batch shape, so the last, smaller batch is filled up with copies of its first sample
/// and only its real rows are counted; samples never interact in a forward pass, so the padding changes nothing.
/// </summary>
public static class HeldOutEvaluation
{
    public static EvaluationResult Run(PcnModel model, DataSet data, ILoss loss)
    {
        long batchSize = model.Graph.DataInputs.First().Shape[0];
        double lossSum = 0, correctSum = 0;
        for (long start = 0; start < data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long size = Math.Min(batchSize, data.Count - start);
            var indices = Enumerable.Range(0, (int)batchSize).Select(i => start + (i < size ? i : 0)).ToList();
            var batch = data.Take(indices, model.DType, model.Device);
            var output = model.InferenceForward(batch.Inputs)[model.Graph.TrainingOutput].narrow(0, 0, size);
            var targets = batch.Targets.narrow(0, 0, size);
            // Both are means over the batch's samples; weighting by the batch size makes them means over the data set.
            using (no_grad()) lossSum += loss.Value(output, targets).ToDouble() * size;
            if (data.HasLabels) correctSum += Metrics.Accuracy(output, targets, loss) * size;
        }
        return new EvaluationResult(data.Count, lossSum / data.Count, data.HasLabels ? correctSum / data.Count : double.NaN);
    }
}
