using System.Runtime.InteropServices;

namespace ZilOnnx.Trainer.Compute;

/// <summary>
/// glibc's malloc, set up for a training loop. By default glibc serves a block above its mmap threshold with a fresh
/// mapping and hands freed memory at the top of the heap back to the kernel, so a step's activations (1.2 MB for
/// LeNet-5's first layer at batch 64) come back every step as new pages, one page fault per 4 KiB: measured on a
/// LeNet-5 bp step, about 400 faults per step, a sixth of the process's CPU time in the kernel. With blocks up to
/// 32 MiB (glibc's largest threshold) kept in the heap and freed memory kept in the process, the next step reuses
/// warm memory: 600 steps took 3.0 s with 32 thousand faults instead of 4.5 s with 790 thousand. Memory then stays
/// at its peak, which a training run reaches every step anyway.
/// </summary>
public static class NativeHeap
{
    private const int TrimThreshold = -1, MmapThreshold = -3, ArenaMax = -8; // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX in malloc.h
    private const int LargestMmapThreshold = 32 << 20;

    /// <summary>Applies the settings; false where the C library is not glibc (nothing changes then).</summary>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return (mallopt(MmapThreshold, LargestMmapThreshold) & mallopt(TrimThreshold, int.MaxValue)) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The malloc arenas allowed under an address-space limit: the main one and one for the other threads.</summary>
    public const int ArenasUnderAddressSpaceLimit = 2;

    /// <summary>
    /// Under an address-space limit (`ulimit -v`), caps glibc's malloc arenas at <see cref="ArenasUnderAddressSpaceLimit"/>.
    /// glibc gives each thread that allocates an arena of its own, up to 8 per core, and each takes 64 MiB of address space
    /// however little it holds. The .NET runtime's own threads take theirs before this runs, but libtorch's worker threads
    /// come later: LeNet-5 with --threads 8 under a 3 GB limit had 15 arenas (1.0 GB of address space, a third of the limit)
    /// without the cap and 6 (0.45 GB) with it. Without a limit nothing changes: address space costs nothing there, and
    /// per-thread arenas spare the threads each other's locks. False where nothing was changed.
    /// </summary>
    public static bool ShareArenasUnderAddressSpaceLimit()
    {
        if (!OperatingSystem.IsLinux() || AvailableMemory.AddressSpaceLimit() == null) return false;
        try
        {
            return mallopt(ArenaMax, ArenasUnderAddressSpaceLimit) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
