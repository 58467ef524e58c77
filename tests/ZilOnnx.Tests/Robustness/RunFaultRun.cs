using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ZilOnnx.Converter.IO;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Robustness;

/// <summary>What one fault did: the process's end, how long it took and its peak memory, and the folder before and after.</summary>
/// <param name="PeakRssKilobytes">The process's peak resident set size, as GNU time reports it (%M).</param>
/// <param name="Before">Each entry of the folder before the run: its kind and, for a regular file, its SHA-256.</param>
public sealed record RunFaultResult(RunFault Case, string Folder, int ExitCode, string Output, string Error, double Seconds, long PeakRssKilobytes,
    IReadOnlyDictionary<string, string> Before, IReadOnlyDictionary<string, string> After)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public override string ToString() => $"zilonnx {Case.Arguments}: exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>
/// Runs every case of <see cref="RunFaults"/> once, in a folder of its own, as a process under GNU time (for its peak
/// memory), for the tests of the Robustness collection.
/// </summary>
public sealed class RunFaultRun : IDisposable
{
    /// <summary>The hang guard: a case still running after this is killed and fails. Not a timing assertion.</summary>
    public static readonly TimeSpan ProcessBound = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _root = new();
    private readonly Lazy<IReadOnlyList<RunFaultResult>> _results;

    public RunFaultRun() => _results = new(() => RunFaults.All.Select(Run).ToList());

    public IReadOnlyList<RunFaultResult> Results => _results.Value;

    public RunFaultResult Of(string id) => Results.Single(r => r.Case.Id == id);

    /// <summary>Text with the case's folder replaced by a placeholder, so the page does not change from run to run.</summary>
    public static string Placeholder(RunFaultResult result, string text) => text.Replace(result.Folder, "<tmp>");

    private RunFaultResult Run(RunFault fault)
    {
        string folder = Directory.CreateDirectory(Path.Combine(_root.Path, fault.Id)).FullName;
        File.Copy(Repository.PathOf("models", "lenet5-fashion.onnx"), Path.Combine(folder, RunFaults.Model));
        File.Copy(Fixtures.PathOf("lenet5.ce.npz"), Path.Combine(folder, RunFaults.Data));
        fault.Setup?.Invoke(folder);
        var before = Snapshot(folder);
        string timeFile = Path.Combine(_root.Path, fault.Id + ".time");
        var start = new ProcessStartInfo("/usr/bin/time")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder,
        };
        foreach (string word in (string[])["-f", "%e %M", "-o", timeFile, "dotnet", Path.Combine(AppContext.BaseDirectory, "zilonnx.dll")])
            start.ArgumentList.Add(word);
        foreach (string word in fault.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)) start.ArgumentList.Add(word);
        var run = CliProcess.Complete(start, ProcessBound, $"zilonnx {fault.Arguments}");
        // GNU time writes "Command exited with non-zero status N" before its line when the command failed.
        string[] measured = File.ReadLines(timeFile).Last().Split(' ');
        return new RunFaultResult(fault, folder, run.ExitCode, run.Output, run.Error, double.Parse(measured[0], CultureInfo.InvariantCulture),
            long.Parse(measured[1], CultureInfo.InvariantCulture), before, Snapshot(folder));
    }

    /// <summary>Every entry of the folder tree: its kind (what the kernel says it is) and a regular file's SHA-256.</summary>
    private static Dictionary<string, string> Snapshot(string folder)
    {
        var entries = new Dictionary<string, string>();
        foreach (string path in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories))
        {
            var status = PathStatus.Of(path, followLinks: false);
            string identity = status.Kind == PathKind.RegularFile ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))
                : status.Kind == PathKind.SymbolicLink ? "-> " + new FileInfo(path).LinkTarget : "";
            entries[Path.GetRelativePath(folder, path)] = $"{status.Kind} {identity}";
        }
        return entries;
    }

    public void Dispose() => _root.Dispose();
}
