using System.Diagnostics;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>
/// Runs `mpirun -np N zilonnx ...` on this machine, over TCP on the loopback interface (the path between
/// machines, not shared memory). Open MPI must be installed (.ci/run installs openmpi-bin); without mpirun the
/// tests fail, they do not skip.
/// </summary>
public static class MpiJob
{
    public static string Mpirun { get; } = Find("mpirun");

    public static ProcessStartInfo StartInfo(int ranks, params string[] arguments)
    {
        var start = new ProcessStartInfo(Mpirun) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // CI runs as root, which mpirun refuses unless told; slots beyond the cores are allowed (two cores here).
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        foreach (string a in new[] { "--oversubscribe", "--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo", "--mca", "oob_tcp_if_include", "lo",
                     "-np", ranks.ToString(), "dotnet", Path.Combine(AppContext.BaseDirectory, "zilonnx.dll") })
            start.ArgumentList.Add(a);
        foreach (string a in arguments) start.ArgumentList.Add(a);
        return start;
    }

    public static CliProcess.Result Run(int ranks, TimeSpan timeout, params string[] arguments) =>
        CliProcess.Complete(StartInfo(ranks, arguments), timeout, $"mpirun -np {ranks} zilonnx {string.Join(' ', arguments)}");

    /// <summary>The process id of rank <paramref name="rank"/> of a running job (Open MPI gives each rank its rank in its environment).</summary>
    public static int? RankProcess(int rank, string marker)
    {
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                var environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (environment.Contains($"OMPI_COMM_WORLD_RANK={rank}") && commandLine.Contains("zilonnx.dll") && commandLine.Contains(marker)) return pid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return null;
    }

    private static string Find(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, program))) return Path.Combine(dir, program);
        return "";
    }
}
