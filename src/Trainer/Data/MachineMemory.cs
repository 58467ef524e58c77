using System.Globalization;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// How much memory this process can still take: the kernel's estimate of what can be allocated without swapping
/// (MemAvailable in /proc/meminfo), lowered to what the process's cgroup (a container's memory limit) has left and
/// to the most .NET's GC will hold (a GCHeapHardLimit, else the machine's or the container's memory).
/// </summary>
public static class MachineMemory
{
    /// <summary>Bytes available now.</summary>
    public static long AvailableBytes()
    {
        long managed = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        long available = ReadOr(() => MemAvailable(File.ReadAllText("/proc/meminfo"))) ?? long.MaxValue;
        long cgroupLeft = ReadOr(CgroupLeft) ?? long.MaxValue;
        return Math.Min(managed, Math.Min(available, cgroupLeft));
    }

    /// <summary>MemAvailable of a /proc/meminfo text, in bytes, or null.</summary>
    public static long? MemAvailable(string meminfo)
    {
        foreach (string line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
            string[] parts = line["MemAvailable:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length >= 1 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kilobytes)
                ? kilobytes * 1024 : null;
        }
        return null;
    }

    /// <summary>A cgroup v2 limit less its usage, in bytes; null where the limit is "max" or the texts do not parse.</summary>
    public static long? Left(string memoryMax, string memoryCurrent) =>
        long.TryParse(memoryMax.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long max)
        && long.TryParse(memoryCurrent.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long current)
            ? Math.Max(0, max - current) : null;

    private static long? CgroupLeft()
    {
        // cgroup v2: /proc/self/cgroup is "0::/PATH"; the limit sits in /sys/fs/cgroup/PATH (or at the root, inside a container).
        string? path = File.ReadLines("/proc/self/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
        foreach (string? folder in new[] { path is null ? null : "/sys/fs/cgroup" + path.TrimEnd('/'), "/sys/fs/cgroup" })
        {
            if (folder is null || !File.Exists(Path.Combine(folder, "memory.max"))) continue;
            return Left(File.ReadAllText(Path.Combine(folder, "memory.max")), File.ReadAllText(Path.Combine(folder, "memory.current")));
        }
        return null;
    }

    private static long? ReadOr(Func<long?> read)
    {
        try { return read(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
