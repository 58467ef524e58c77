using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer;

/// <summary>
/// The collections this class forces would make any other test that runs at the same time more likely to hit the
/// race it checks for (in TorchSharp's own operators, which tests still use), so it runs alone.
/// </summary>
[CollectionDefinition(nameof(ScalarLifetimeTests), DisableParallelization = true)]
public sealed class ScalarLifetimeCollection;

/// <summary>
/// The Scalars that <see cref="ScalarSafeMath"/> hands to libtorch stay alive until libtorch has read them. Worker
/// threads run small scalar operations while another thread forces collections and runs the finalizers they find.
/// With TorchSharp's operators instead (<c>a + b</c>, <c>a * k</c>, <c>b + k</c>, <c>t.add_(a, alpha: k)</c>), whose
/// temporary Scalars a collection may finalize while the native call still reads them, the same loop fails within
/// a second or two on a two-core machine, with "Expected false to be true" from c10::Scalar::toDouble.
/// </summary>
[Collection(nameof(ScalarLifetimeTests))]
public sealed class ScalarLifetimeTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(1.5);

    [Fact]
    public void Scalars_outlive_the_native_calls_that_read_them_while_finalizers_run()
    {
        var failures = new ConcurrentQueue<string>();
        long iterations = 0;
        var clock = Stopwatch.StartNew();
        bool running = true;
        // Gen-0 collections are quick, and a temporary Scalar is always in gen 0: the more of them, the more
        // likely one lands while a worker is inside a native call.
        var collector = new Thread(() =>
        {
            while (Volatile.Read(ref running))
            {
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
            }
        })
        {
            IsBackground = true,
        };
        // Each worker has its own factor, so that a freed Scalar whose memory another thread's Scalar took over
        // shows as a wrong value rather than passing unnoticed. Every value here is exact in float64.
        var workers = Enumerable.Range(0, 3).Select(w => new Thread(() =>
        {
            double k = w + 0.5;
            long done = 0;
            try
            {
                using var a = tensor(1.5, ScalarType.Float64);
                using var b = tensor(2.25, ScalarType.Float64);
                while (clock.Elapsed < Duration)
                {
                    using var sum = a.Plus(b);
                    using var scaled = a.Times(k);
                    using var shifted = b.Plus(k);
                    using var accumulated = b.clone().AddInPlace(a, alpha: k);
                    double s = sum.item<double>(), p = scaled.item<double>(), q = shifted.item<double>(), r = accumulated.item<double>();
                    if (s != 3.75 || p != 1.5 * k || q != 2.25 + k || r != 2.25 + 1.5 * k)
                        failures.Enqueue($"worker {w}, iteration {done}: {s}, {p}, {q}, {r}");
                    done++;
                }
            }
            catch (Exception e)
            {
                failures.Enqueue($"worker {w}, iteration {done}: {e.GetType().Name}: {e.Message}");
            }
            Interlocked.Add(ref iterations, done);
        })).ToList();

        collector.Start();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        Volatile.Write(ref running, false);
        collector.Join();

        Assert.Empty(failures);
        Assert.True(iterations > 0);
    }
}
