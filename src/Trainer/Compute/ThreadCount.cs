using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Compute;

/// <summary>`--threads N`: the threads libtorch computes with (intra-op, and the inter-op pool); libtorch's default, one per core, when not given.</summary>
public static class ThreadCount
{
    private static readonly object Gate = new();
    private static bool _interopSet;

    public static void Apply(int? threads)
    {
        if (threads is not { } n) return;
        if (n < 1) throw new ArgumentException("--threads must be positive");
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
