using System.Diagnostics;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Training;
using static TorchSharp.torch;

namespace ZilOnnx.Cli.Benchmarking;

/// <summary>The data pipeline alone beside the training step: images (samples) per second of each, and their ratio.</summary>
public sealed record PipelineResult(string Data, long Batches, int BatchSize, int Depth, double Seconds, double SamplesPerSecond,
    double StepSamplesPerSecond)
{
    /// <summary>How many times faster the pipeline delivers samples than bp's step consumes them: under 1, the data are the
    /// bottleneck.</summary>
    public double Ratio => SamplesPerSecond / StepSamplesPerSecond;
}

/// <summary>
/// One pass over the data through the trainer's own pipeline (<see cref="BatchPrefetcher"/>: samples gathered, streamed
/// images decoded, converted, copied into tensors) with no training step, in shuffled order as finetune reads it.
/// </summary>
public static class PipelineThroughput
{
    public static PipelineResult Run(DataSet data, int batchSize, ScalarType floatType, int seed, double stepSamplesPerSecond)
    {
        long batches = (data.Count + batchSize - 1) / batchSize;
        var order = new BatchOrder(data.Count, batchSize, shuffle: true, seed);
        using var prefetcher = new BatchPrefetcher(data, order.IndicesOf, order.PassOf, floatType);
        var clock = Stopwatch.StartNew();
        for (long k = 0; k < batches; k++)
        {
            using var scope = NewDisposeScope();
            prefetcher.Take(k, CPU);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return new PipelineResult(data.Source, batches, batchSize, BatchPrefetcher.Depth, seconds, batches * batchSize / seconds,
            stepSamplesPerSecond);
    }
}
