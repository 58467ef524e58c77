using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Distributed;

/// <summary>
/// Bounds the wait inside a collective. MPI's collectives block until every rank arrives; when one rank dies,
/// Open MPI's launcher normally ends the job, but a rank that hangs (or a launcher that does not notice) would leave
/// the others waiting forever. A collective that has not returned after the timeout prints which rank gave up on
/// what, and aborts the job with <see cref="ExitCode"/>.
/// </summary>
public sealed class CollectiveWatchdog : IDisposable
{
    /// <summary>The exit code of a job ended because a collective did not complete (docs/cli.md).</summary>
    public const int ExitCode = 5;

    private readonly TimeSpan _timeout;
    private readonly int _rank, _size;
    private readonly Action<int> _abort;
    private readonly Func<string, string> _say;
    private readonly Timer _timer;
    private string _operation = "";

    /// <param name="say">The message that ends the job as its reader says it: the text with settings' markers in.</param>
    public CollectiveWatchdog(TimeSpan timeout, int rank, int size, Action<int> abort, Func<string, string> say)
    {
        _timeout = timeout; _rank = rank; _size = size; _abort = abort; _say = say;
        _timer = new Timer(_ => Expire(), null, Timeout.Infinite, Timeout.Infinite);
    }

    public void Guard(string operation, Func<int> collective)
    {
        _operation = operation;
        _timer.Change(_timeout, Timeout.InfiniteTimeSpan);
        int code;
        try { code = collective(); }
        finally { _timer.Change(Timeout.Infinite, Timeout.Infinite); }
        if (code != 0) throw new CollectiveFailedException($"rank {_rank}: MPI {operation} failed with MPI error {code}");
    }

    private void Expire()
    {
        Console.Error.WriteLine(_say($"error: rank {_rank} of {_size}: the {_operation} of a training step did not complete within " +
            $"{_timeout.TotalSeconds:0.#} s ({Setting.CollectiveTimeout}): another rank died or stopped answering; ending the job. " +
            "Resume from the last checkpoint with any number of ranks."));
        Console.Error.Flush();
        _abort(ExitCode);
        // MPI_Abort normally does not return; if it does, nothing else will end this process.
        Environment.Exit(ExitCode);
    }

    public void Dispose() => _timer.Dispose();
}
