using static TorchSharp.torch;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Compute;

/// <summary>`--threads N`: the threads libtorch computes with (intra-op, and the inter-op pool); libtorch's default, one per core, when not
/// given.</summary>
public static class ThreadCount
{
    private static readonly object Gate = new();
    private static bool _interopSet;

    /// <summary>
    /// The most threads that are taken: four per core. More only oversubscribe the cores, and libtorch starts every one
    /// of them (`--threads 100000` effectively hangs).
    /// </summary>
    public static int Limit => 4 * Environment.ProcessorCount;

    public static void Apply(int? threads)
    {
        if (threads is not { } n) return;
        if (n < 1 || n > Limit) throw new SettingException($"{Setting.Threads} must be from 1 to {Limit} (4 per core), got {n}");
        set_num_threads(n);
        // libtorch sizes its inter-op pool once per process, before the pool has run anything, and aborts the process
        // (no exception reaches .NET) when asked again; no kernel here uses that pool, so it is set once, first thing.
        lock (Gate)
        {
            if (_interopSet) return;
            _interopSet = true;
            if (get_num_interop_threads() != n) set_num_interop_threads(n);
        }
    }
}
