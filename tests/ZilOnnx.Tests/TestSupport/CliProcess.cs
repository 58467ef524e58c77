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

    public static Result Run(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "zilonnx.dll"));
        foreach (string a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = StreamDrain.Start(process.StandardOutput);
        var error = StreamDrain.Start(process.StandardError);
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"zilonnx {string.Join(' ', arguments)} did not finish in {timeout.TotalMinutes:0.#} minutes");
        }
        return new Result(process.ExitCode, output.Text, error.Text);
    }
}
