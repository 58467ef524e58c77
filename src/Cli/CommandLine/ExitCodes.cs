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
}
