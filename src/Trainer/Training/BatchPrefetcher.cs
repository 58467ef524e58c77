using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Training;

/// <summary>
/// Keeps the data pipeline off the trainer's path: while step k runs, a worker thread gathers the samples of batch
/// k + 1 and converts them to the model's element types (<see cref="DataSet.Prepare"/>, plain arrays). The training
/// thread then only copies them into tensors, which therefore belong to its step's dispose scope, and no TorchSharp
/// call is ever made off that thread. Batch k is always the samples <paramref name="indicesOf"/> gives for k (<see cref="BatchOrder.IndicesOf"/>, or this process's shard of them),
/// prefetched or not, so runs are the same batch for batch; at most one batch is prepared at a time, so the order's
/// caches are never used from two threads at once.
/// </summary>
internal sealed class BatchPrefetcher(DataSet data, Func<long, long[]> indicesOf, Func<long, long> passOf, ScalarType floatType)
{
    private (long Step, Task<HostBatch> Batch)? _next;

    /// <summary>Batch <paramref name="step"/> as tensors on the device; starts preparing batch step + 1.</summary>
    public Batch Take(long step, Device device)
    {
        HostBatch host;
        if (_next is { } next)
        {
            _next = null;
            var prepared = next.Batch.GetAwaiter().GetResult(); // also waits for a batch prepared for another step
            host = next.Step == step ? prepared : Prepare(step);
        }
        else host = Prepare(step);
        _next = (step + 1, Task.Run(() => Prepare(step + 1)));
        return data.ToBatch(host, device);
    }

    private HostBatch Prepare(long step) => data.Prepare(indicesOf(step), floatType, passOf(step));
}
