using System.Diagnostics;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>How a POSIX shell reads a command line that the program printed for a user to paste.</summary>
public static class PosixShell
{
    /// <summary>The words bash makes of <paramref name="command"/>, as the program it starts would get them (printf prints each, NUL-terminated).</summary>
    public static string[] Words(string command)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("printf '%s\\0' " + command);
        var result = CliProcess.Complete(start, TimeSpan.FromSeconds(30), "bash -c printf");
        if (result.ExitCode != 0) throw new InvalidOperationException($"bash could not read the command {command}: {result}");
        return result.Output.Split('\0')[..^1];
    }
}
