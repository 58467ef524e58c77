using System.Collections.Concurrent;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// The one thread the witnesses of a process run on, started at the first verified step and kept: a thread that is new
/// to libtorch pays for its thread-local state (its OpenMP and oneDNN set-up, its allocator caches) at its first
/// operations, which a step per thread paid at every step.
/// </summary>
internal static class WitnessThread
{
    private static readonly BlockingCollection<(Action Job, ManualResetEventSlim Done)> Jobs = new();
    private static readonly Lazy<Thread> Worker = new(() =>
    {
        var thread = new Thread(() =>
        {
            foreach (var (job, done) in Jobs.GetConsumingEnumerable())
            {
                job();
                done.Set();
            }
        }, maxStackSize: 16 << 20)
        { IsBackground = true, Name = "zilonnx witness" };
        thread.Start();
        return thread;
    });

    /// <summary>Queues <paramref name="job"/>, which must not throw; the event is set when it has run.</summary>
    public static ManualResetEventSlim Start(Action job)
    {
        _ = Worker.Value;
        var done = new ManualResetEventSlim();
        Jobs.Add((job, done));
        return done;
    }
}
