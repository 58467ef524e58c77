using System.Diagnostics;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>
/// An `mpirun` job left running in the background until it has written its first checkpoint, so a test can then act
/// on it (kill a rank, freeze one, interrupt the launcher). Disposing kills whatever of the job is still alive.
/// </summary>
public sealed class RunningMpiJob : IDisposable
{
    private readonly StreamDrain _output;
    private readonly StreamDrain _error;

    private RunningMpiJob(Process process)
    {
        Process = process;
        _output = StreamDrain.Start(process.StandardOutput);
        _error = StreamDrain.Start(process.StandardError);
    }

    public Process Process { get; }

    /// <summary>Starts the job and waits (at most 2 minutes) for <paramref name="checkpoint"/> to exist: training is then under way.</summary>
    public static RunningMpiJob StartAndAwaitCheckpoint(int ranks, string checkpoint, params string[] arguments)
    {
        var job = new RunningMpiJob(Process.Start(MpiJob.StartInfo(ranks, arguments))!);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(checkpoint) && clock.Elapsed < TimeSpan.FromMinutes(2) && !job.Process.HasExited) Thread.Sleep(200);
        if (!File.Exists(checkpoint))
        {
            string why = job.Process.HasExited ? $"the job ended (exit {job.Process.ExitCode}) before it wrote a checkpoint" : "the job wrote no checkpoint within 2 minutes";
            job.Dispose();
            Assert.Fail(why);
        }
        return job;
    }

    /// <summary>Everything the job printed, stdout then stderr; call once it has ended.</summary>
    public string Messages() => _output.Text + _error.Text;

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}
