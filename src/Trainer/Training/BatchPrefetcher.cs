using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Training;

/// <summary>
/// Keeps the data pipeline off the trainer's path: while step k runs, worker threads prepare batches k + 1 ... k +
/// <see cref="Depth"/> (<see cref="DataSet.Prepare"/>: samples gathered, streamed images decoded, converted to the model's
/// element types; plain arrays). The queue is bounded, so at most <see cref="Depth"/> batches are held ahead of the step
/// whatever the data set's size. The training thread only copies a prepared batch into tensors, which therefore belong to
/// its step's dispose scope, and no TorchSharp call is ever made off that thread.
/// Batch k is always the samples <paramref name="indicesOf"/> gives for k (<see cref="BatchOrder.IndicesOf"/>, or this
/// process's shard of them), augmented for the pass <paramref name="passOf"/> gives, prefetched or not, so runs are the same
/// batch for batch. The indices and passes are asked for on the calling thread only, so the order's caches are never used from two threads
/// at once. A batch that cannot be prepared
/// (an image that does not decode) throws when its step takes it, not before.
/// </summary>
public sealed class BatchPrefetcher(DataSet data, Func<long, long[]> indicesOf, Func<long, long> passOf, ScalarType floatType,
    int depth = BatchPrefetcher.Depth)
    : IDisposable
{
    /// <summary>
    /// Batches prepared ahead of the step: enough to keep two cores decoding while a step runs, few enough that a batch of
    /// large images held this many times stays small beside the model.
    /// </summary>
    public const int Depth = 3;

    private readonly Queue<(long Step, Task<HostBatch> Batch)> _ahead = new();
    private readonly CancellationTokenSource _stop = new();
    private bool _disposed;

    /// <summary>Batches prepared or being prepared ahead of the last one taken (never more than the depth).</summary>
    public int Ahead => _ahead.Count;

    /// <summary>The memory the prefetched batches take: <see cref="Depth"/> batches of <paramref name="batchSize"/> samples in the given
    /// type.</summary>
    public static long HeldBytes(DataSet data, int batchSize, int itemBytes) =>
        (long)Depth * batchSize * (data.Inputs.SampleSize * itemBytes + data.Targets.SampleSize * sizeof(long));

    /// <summary>Batch <paramref name="step"/> as tensors on the device; keeps the batches after it in preparation.</summary>
    public Batch Take(long step, Device device) => data.ToBatch(TakeHost(step), device);

    /// <summary>Batch <paramref name="step"/> as prepared on the host (<see cref="Take"/> without the copy into tensors).</summary>
    public HostBatch TakeHost(long step)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        HostBatch batch;
        if (_ahead.TryPeek(out var next) && next.Step == step)
            batch = _ahead.Dequeue().Batch.GetAwaiter().GetResult();
        else
        {
            // Another step than the one prepared (a resumed or rewound run): what was prepared is of no use.
            Drain();
            batch = data.Prepare(indicesOf(step), floatType, passOf(step));
        }
        long following = _ahead.Count > 0 ? _ahead.Last().Step + 1 : step + 1;
        while (_ahead.Count < depth)
        {
            long[] indices = indicesOf(following);
            long pass = passOf(following);
            _ahead.Enqueue((following++, Task.Run(() => data.Prepare(indices, floatType, pass), _stop.Token)));
        }
        return batch;
    }

    /// <summary>Starts no more batches and returns once the ones being prepared have finished (their faults unobserved: no step asked for
    /// them).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        Drain();
        _stop.Dispose();
    }

    private void Drain()
    {
        while (_ahead.TryDequeue(out var pending))
        {
            try { pending.Batch.Wait(); }
            catch (AggregateException) { }
        }
    }
}
