using System.Runtime.InteropServices;

namespace ZilOnnx.Cli.Benchmarking;

/// <summary>
/// The process's resident memory from /proc/self/status (Linux): VmRSS now and VmHWM, its peak. libtorch has no
/// allocation statistics on the CPU, so a step's memory is measured as resident memory: freed memory is handed
/// back to the system first (glibc's malloc_trim, after a garbage collection), the peak is reset to the current
/// level (writing 5 to /proc/self/clear_refs), the rule's steps run, and the peak's rise over that level is
/// what those steps needed beyond the model, the batches and the runtime.
/// </summary>
public static class ProcessMemory
{
    private const string Status = "/proc/self/status";

    /// <summary>Whether the peak can be reset, which a fair per-rule measurement needs (Linux 4.0 and later).</summary>
    public static bool CanMeasurePeaks { get; } = OperatingSystem.IsLinux() && TryResetPeak();

    /// <summary>VmRSS in bytes, or null where /proc is not there.</summary>
    public static long? Resident() => Read("VmRSS:");

    /// <summary>VmHWM (the resident peak since start or the last reset) in bytes, or null.</summary>
    public static long? Peak() => Read("VmHWM:");

    /// <summary>Frees what can be freed: unreachable managed objects (and the native tensors their finalizers release), then glibc's free
    /// lists.</summary>
    public static void ReleaseFreeMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (!OperatingSystem.IsLinux()) return;
        try { MallocTrim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// Runs <paramref name="action"/> and returns the rise of the resident peak over the resident level before it, and
    /// the peak itself, in bytes; null where peaks cannot be reset.
    /// </summary>
    public static (long Rise, long Peak)? MeasurePeak(Action action)
    {
        if (!CanMeasurePeaks) { action(); return null; }
        ReleaseFreeMemory();
        long before = Resident() ?? 0;
        TryResetPeak();
        action();
        long peak = Peak() ?? 0;
        return (Math.Max(0, peak - before), peak);
    }

    private static long? Read(string key)
    {
        try
        {
            foreach (string line in File.ReadLines(Status))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0]) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
