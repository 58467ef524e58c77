using System.Diagnostics;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>Runs the real `zilonnx` program (built next to the tests) as a separate process, as a user would.</summary>
public static class CliProcess
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
    }

    public static Result Run(params string[] arguments) => Run(TimeSpan.FromMinutes(3), arguments);

    public static Result Run(TimeSpan timeout, params string[] arguments) => Run(timeout, new Dictionary<string, string>(), arguments);

    /// <summary>The same with environment variables set for the program (XDG_CACHE_HOME: a cache of the test's own).</summary>
    public static Result Run(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "zilonnx.dll"));
        foreach (string a in arguments) start.ArgumentList.Add(a);
        return Complete(start, timeout, $"zilonnx {string.Join(' ', arguments)}");
    }

    /// <summary>
    /// Starts <paramref name="start"/> (stdout and stderr redirected) and waits for it to end, reading both streams on
    /// threads of their own; one still running after <paramref name="timeout"/> is killed with its children and throws.
    /// </summary>
    public static Result Complete(ProcessStartInfo start, TimeSpan timeout, string description)
    {
        using var process = Process.Start(start)!;
        var output = StreamDrain.Start(process.StandardOutput);
        var error = StreamDrain.Start(process.StandardError);
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{description} did not finish in {timeout.TotalSeconds:0} s");
        }
        return new Result(process.ExitCode, output.Text, error.Text);
    }
}
