using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Training;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Trainer.Training;

/// <summary>The bounded queue of batches prepared ahead of the step: its bound, its order, its faults and its end.</summary>
public sealed class BatchPrefetcherTests
{
    private const int BatchSize = 4, Samples = 40;

    /// <summary>
    /// A sample source of one float per sample (its index) that counts the gathers running, can hold gathers of samples
    /// from <see cref="HoldFrom"/> on until released, and fails on sample <see cref="FailAt"/>.
    /// </summary>
    private sealed class WatchedSource() : SampleSource(DataType.Float, [Samples, 1])
    {
        public readonly ManualResetEventSlim Released = new(true);
        public long HoldFrom { get; init; } = long.MaxValue;
        public long FailAt { get; init; } = -1;
        public int Started, Running, MostRunning;

        public override long HeldBytes => 0;
        public override SampleSource WithShape(long[] shape) => this;
        public override SampleSource Rows(IReadOnlyList<long> indices) => throw new NotSupportedException();
        public override double ValueAt(long index) => index;
        public override long IndexOfNonFinite() => -1;

        public override Array Gather(IReadOnlyList<long> indices, ScalarType type)
        {
            Interlocked.Increment(ref Started);
            int running = Interlocked.Increment(ref Running);
            lock (Released) MostRunning = Math.Max(MostRunning, running);
            try
            {
                if (indices.Any(i => i >= HoldFrom)) Released.Wait(TimeSpan.FromSeconds(30));
                if (indices.Contains(FailAt)) throw new DataFormatException($"sample-{FailAt}.png", null, "the image cannot be decoded");
                return indices.Select(i => (float)i).ToArray();
            }
            finally { Interlocked.Decrement(ref Running); }
        }
    }

    private static DataSet Over(WatchedSource source) =>
        new("watched", "x", source, new SampleArray<long>(DataType.Int64, [Samples], new long[Samples]));

    [Fact]
    public void Batches_come_in_order_with_never_more_than_the_depth_prepared_ahead()
    {
        var source = new WatchedSource();
        var order = new BatchOrder(Samples, BatchSize, shuffle: true, seed: 3);
        long furthestAsked = -1;
        using var prefetcher = new BatchPrefetcher(Over(source), step => { furthestAsked = Math.Max(furthestAsked, step); return order.IndicesOf(step); },
            order.PassOf, ScalarType.Float32, depth: 2);
        var expected = new BatchOrder(Samples, BatchSize, shuffle: true, seed: 3);
        for (long k = 0; k < 25; k++)
        {
            var batch = prefetcher.TakeHost(k);
            Assert.Equal(expected.IndicesOf(k).Select(i => (float)i), (float[])batch.Inputs.Values);
            Assert.Equal(2, prefetcher.Ahead);
            Assert.Equal(k + 2, furthestAsked);
        }
        // A step out of turn (a rewound run) is prepared for itself, and the queue starts again after it.
        Assert.Equal(expected.IndicesOf(3).Select(i => (float)i), (float[])prefetcher.TakeHost(3).Inputs.Values);
        Assert.Equal(expected.IndicesOf(4).Select(i => (float)i), (float[])prefetcher.TakeHost(4).Inputs.Values);
        Assert.InRange(source.MostRunning, 1, 3);
    }

    [Fact]
    public void A_batch_that_fails_throws_when_its_step_takes_it()
    {
        var source = new WatchedSource { FailAt = 2 * BatchSize + 1 };
        var order = new BatchOrder(Samples, BatchSize, shuffle: false, seed: 0);
        using var prefetcher = new BatchPrefetcher(Over(source), order.IndicesOf, order.PassOf, ScalarType.Float32);
        prefetcher.TakeHost(0);
        prefetcher.TakeHost(1);  // batch 2 has been prepared, and failed, by now; its fault is batch 2's
        var e = Assert.Throws<DataFormatException>(() => prefetcher.TakeHost(2));
        Assert.Contains($"sample-{2 * BatchSize + 1}.png", e.Message);
    }

    [Fact]
    public async Task Disposal_starts_no_more_batches_and_waits_for_the_ones_running()
    {
        var source = new WatchedSource { HoldFrom = BatchSize };
        source.Released.Reset();
        var order = new BatchOrder(Samples, BatchSize, shuffle: false, seed: 0);
        var prefetcher = new BatchPrefetcher(Over(source), order.IndicesOf, order.PassOf, ScalarType.Float32, depth: 3);
        prefetcher.TakeHost(0);  // batches 1-3 are now held inside their gathers
        SpinWait.SpinUntil(() => source.Running > 0, TimeSpan.FromSeconds(10));

        var disposal = Task.Run(prefetcher.Dispose);
        Assert.NotSame(disposal, await Task.WhenAny(disposal, Task.Delay(300)));  // it waits while batches are being prepared
        source.Released.Set();
        await disposal.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, source.Running);
        int started = source.Started;
        Assert.InRange(started, 2, 4);  // batch 0 and at most the 3 ahead
        Assert.Throws<ObjectDisposedException>(() => prefetcher.TakeHost(1));
        await Task.Delay(100);
        Assert.Equal(started, source.Started);
    }
}
