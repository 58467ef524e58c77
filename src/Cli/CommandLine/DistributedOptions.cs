using System.CommandLine;
using ZilOnnx.Trainer.Distributed;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// `finetune --distributed none|mpi` and `--mpi-timeout`: data-parallel training across the processes of an MPI job
/// (`mpirun -np N zilonnx finetune ... --distributed mpi`, docs/scale-out.md).
/// </summary>
public sealed class DistributedOptions
{
    public Option<string> Mode { get; } = new("--distributed")
    {
        Description = "none, or mpi: split every batch across the ranks of an Open MPI job (launch with mpirun -np N)",
        DefaultValueFactory = _ => "none",
    };

    /// <summary>A week: longer than any collective of a working job waits, and short of what a TimeSpan or a timer holds.</summary>
    private const double LongestTimeout = 7 * 24 * 3600;

    public Option<double> Timeout { get; } = new Option<double>("--mpi-timeout")
    {
        Description = "Seconds a rank waits inside one collective before it ends the job (a peer died or hangs)",
        DefaultValueFactory = _ => 600,
    }.Within(new NumberRange($"a positive number of seconds, at most {LongestTimeout} (a week)", x => x > 0 && x <= LongestTimeout));

    private static readonly TimeSpan RootFirst = TimeSpan.FromSeconds(2);

    public void AddTo(Command command)
    {
        command.Options.Add(Mode);
        command.Options.Add(Timeout);
    }

    /// <summary>The job this process belongs to: itself alone, or MPI_COMM_WORLD (MPI_Init happens here).</summary>
    public ICommunicator Open(ParseResult parse)
    {
        string mode = parse.GetValue(Mode)!;
        double timeout = parse.GetValue(Timeout);
        return mode.ToLowerInvariant() switch
        {
            "none" => SingleProcess.Instance,
            "mpi" => OpenMpiCommunicator.Initialize(TimeSpan.FromSeconds(timeout), SettingFlags.Say),
            _ => throw new ArgumentException($"--distributed '{mode}' is not a known mode: use none or mpi"),
        };
    }

    /// <summary>
    /// Ends this process's part in the job. Success, a failed verification, a numerical failure and an agreed
    /// interruption happen on every rank after the same step (they are decided on reduced numbers), so those ranks
    /// finalize MPI together and rank 0 finishes writing. Any other failure may be this rank's alone: it aborts the
    /// job with its exit code, so the other ranks do not wait for it in their next collective.
    /// </summary>
    public static int Close(ICommunicator? communicator, int exitCode)
    {
        if (communicator is null or SingleProcess) return exitCode;
        Console.Out.Flush();
        Console.Error.Flush();
        bool together = exitCode is ExitCodes.Success or ExitCodes.VerificationFailed
            or ExitCodes.NumericalFailure or ExitCodes.Interrupted;
        if (!together && communicator.Size > 1)
        {
            // A failure every rank meets (bad data, a usage error) is best reported by rank 0, unprefixed: the other
            // ranks give rank 0 a moment to print it and abort the job itself before they abort it.
            if (communicator.Rank != 0) Thread.Sleep(RootFirst);
            communicator.Abort(exitCode);
        }
        communicator.Dispose();
        return exitCode;
    }
}
