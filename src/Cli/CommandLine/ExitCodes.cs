namespace ZilOnnx.Cli.CommandLine;

/// <summary>The documented exit codes (docs/cli.md).</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>A usage error, or an internal error (the message says which).</summary>
    public const int Usage = 1;
    public const int BadInput = 2;
    public const int VerificationFailed = 3;
    public const int NumericalFailure = 4;
    /// <summary>A distributed job could not go on: a collective failed or timed out (a rank died or hangs).</summary>
    public const int DistributedFailure = ZilOnnx.Trainer.Distributed.CollectiveWatchdog.ExitCode;
    /// <summary>Stopped by Ctrl-C or SIGTERM after writing a checkpoint (128 + SIGINT's number, as shells report it).</summary>
    public const int Interrupted = 130;
}
