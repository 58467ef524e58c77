using System.Globalization;

namespace ZilOnnx.Trainer.Compute;

/// <summary>
/// How much more memory this process can take now, and what limits it: the memory the kernel can hand out without
/// swapping (MemAvailable in /proc/meminfo), the headroom under the process's cgroup (v2) memory limit, and the
/// headroom under its address-space limit (`ulimit -v`, RLIMIT_AS in /proc/self/limits, less the address space
/// already mapped, VmSize). Whichever is smallest applies. Linux only: elsewhere nothing is known and null is returned.
/// </summary>
public sealed record AvailableMemory(long Bytes, string Limit)
{
    public static AvailableMemory? Now() => Smallest(
        MemAvailable() is { } free ? new AvailableMemory(free, "free memory (MemAvailable)") : null,
        CgroupHeadroom() is { } cgroup ? new AvailableMemory(cgroup, "the cgroup's memory limit") : null,
        AddressSpaceHeadroom() is { } space ? new AvailableMemory(space, "the address-space limit (ulimit -v)") : null);

    private static AvailableMemory? Smallest(params AvailableMemory?[] candidates) =>
        candidates.OfType<AvailableMemory>().MinBy(c => c.Bytes);

    /// <summary>MemAvailable, in bytes.</summary>
    private static long? MemAvailable() => KibField(Lines("/proc/meminfo"), "MemAvailable:");

    /// <summary>MemAvailable of a /proc/meminfo text, in bytes, or null.</summary>
    public static long? MemAvailable(string meminfo) => KibField(meminfo.Split('\n'), "MemAvailable:");

    /// <summary>The process's soft address-space limit (RLIMIT_AS, `ulimit -v`) in bytes, or null when it has none.</summary>
    public static long? AddressSpaceLimit()
    {
        foreach (string line in Lines("/proc/self/limits"))
        {
            if (!line.StartsWith("Max address space", StringComparison.Ordinal)) continue;
            // "Max address space   3072000000   3072000000   bytes" or "... unlimited unlimited bytes": the soft limit first.
            string soft = line["Max address space".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) ? bytes : null;
        }
        return null;
    }

    /// <summary>The address-space limit less the address space already mapped (VmSize), or null without a limit.</summary>
    private static long? AddressSpaceHeadroom() =>
        AddressSpaceLimit() is { } max && KibField(Lines("/proc/self/status"), "VmSize:") is { } mapped ? Math.Max(0, max - mapped) : null;

    /// <summary>
    /// memory.max less memory.current of the process's cgroup (v2), or null without a limit. /proc/self/cgroup names the
    /// group as the host sees it; inside a container that path may not exist, and the container's own limit sits at the root.
    /// </summary>
    private static long? CgroupHeadroom()
    {
        string? group = Lines("/proc/self/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
        if (group == null) return null;
        foreach (string folder in new[] { Path.Combine("/sys/fs/cgroup", group.TrimStart('/')), "/sys/fs/cgroup" })
            if (File.Exists(Path.Combine(folder, "memory.max")))
                return Headroom(Lines(Path.Combine(folder, "memory.max")).FirstOrDefault() ?? "", Lines(Path.Combine(folder,
                    "memory.current")).FirstOrDefault() ?? "");
        return null;
    }

    /// <summary>A cgroup v2 limit (memory.max) less its usage (memory.current), in bytes; null where the limit is "max" or a text does not
    /// parse.</summary>
    public static long? Headroom(string memoryMax, string memoryCurrent) =>
        Number(memoryMax) is { } max && Number(memoryCurrent) is { } current ? Math.Max(0, max - current) : null;

    /// <summary>A "Key:   123 kB" field among the lines of a /proc file, in bytes.</summary>
    private static long? KibField(IEnumerable<string> lines, string key)
    {
        foreach (string line in lines)
            if (line.StartsWith(key, StringComparison.Ordinal)
                && long.TryParse(line[key.Length..].Trim().Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kib))
                return kib * 1024;
        return null;
    }

    /// <summary>A text holding one number ("max", a cgroup without a limit, gives null).</summary>
    private static long? Number(string text) => long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture,
        out long value) ? value : null;

    private static IEnumerable<string> Lines(string file)
    {
        try { return File.ReadAllLines(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException) { return []; }
    }
}
