using System.Diagnostics;
using System.Text.RegularExpressions;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>Ctrl-C or SIGTERM during fine-tuning: a checkpoint, exit code 130, and a run that resumes where it stopped.</summary>
public sealed class InterruptionTests
{
    [Theory]
    [InlineData("INT", "SIGINT")]
    [InlineData("TERM", "SIGTERM")]
    public void A_signal_between_steps_writes_a_checkpoint_that_resumes_to_the_uninterrupted_parameters(string signal, string name)
    {
        if (OperatingSystem.IsWindows()) return; // POSIX signals; the CI and the supported platform are Linux
        using var temp = new TempDirectory();
        // Outputs in a folder whose name a shell must have quoted: the printed resume command quotes it back.
        string folder = Directory.CreateDirectory(temp.File("run's outputs")).FullName;
        string checkpoint = Path.Combine(folder, "run.checkpoint.pcn"), output = Path.Combine(folder, "run.onnx");
        string[] common = ["--data", Fixtures.PathOf("mlp.ce.npz"), "--loss", "ce", "--lr", "0.05", "--batch-size", "8", "--precision", "float64", "--optimizer", "momentum"];
        // Options the checkpoint's state does not record: the resume command must still carry them.
        string[] unrecorded = ["--val-data", Fixtures.PathOf("mlp.ce.npz"), "--val-every", "100000", "--checkpoint-every", "100000",
            "--metrics", Path.Combine(folder, "metrics.jsonl"), "--plot", Path.Combine(folder, "run.png"), "--verify-every", "2"];
        string[] finetune = ["finetune", Fixtures.PathOf("mlp.onnx"), .. common, "--steps", "1000000", "--checkpoint", checkpoint, .. unrecorded, "-o", output];

        // A process started in the background by a shell without job control inherits SIGINT as ignored, and the
        // runtime then never sees it; coreutils' env restores the default disposition, as a terminal would have it.
        // --force comes last: it is the one word the resume command leaves out.
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])["--default-signal=INT,TERM", "dotnet", Path.Combine(AppContext.BaseDirectory, "zilonnx.dll"), .. finetune, "--force"])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = StreamDrain.Start(process.StandardError);
        // The header is printed before the first step; a step line means training is under way.
        string? line;
        while ((line = process.StandardOutput.ReadLine()) != null && !line.StartsWith("step ")) { }
        Assert.NotNull(line);
        Process.Start("kill", $"-{signal} {process.Id}")!.WaitForExit();
        _ = StreamDrain.Start(process.StandardOutput);
        bool exited = process.WaitForExit(TimeSpan.FromSeconds(60));
        if (!exited) process.Kill(entireProcessTree: true); // never leave a million-step run behind
        Assert.True(exited, "the run did not stop within a minute of the signal");

        Assert.Equal(130, process.ExitCode);
        string stderr = error.Text;
        var stopped = Regex.Match(stderr, $@"interrupted \({name}\) after step (\d+)/1000000: wrote the checkpoint");
        Assert.True(stopped.Success, stderr);
        Assert.True(File.Exists(checkpoint));
        Assert.False(File.Exists(output), "an interrupted run wrote its output model");

        // The printed command, read back by a shell, is the run's own command line with the checkpoint as the model.
        var printed = Regex.Match(stderr, "`(zilonnx [^`]*)` resumes the run");
        Assert.True(printed.Success, stderr);
        string[] expected = ["zilonnx", .. finetune];
        expected[2] = checkpoint;
        Assert.Equal(expected, PosixShell.Words(printed.Groups[1].Value));

        // Two more steps from the checkpoint equal an uninterrupted run of the same length.
        long total = long.Parse(stopped.Groups[1].Value) + 2;
        var resumed = CliProcess.Run(["finetune", checkpoint, "--data", Fixtures.PathOf("mlp.ce.npz"), "--steps", total.ToString(), "-o", temp.File("resumed.onnx")]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var straight = CliProcess.Run(["finetune", Fixtures.PathOf("mlp.onnx"), .. common, "--steps", total.ToString(), "-o", temp.File("straight.onnx")]);
        Assert.True(straight.ExitCode == 0, straight.ToString());
        ResumedParameters.AssertExportsAgree(ZilOnnx.Converter.Onnx.OnnxModelFile.Load(temp.File("straight.onnx")).Graph.Initializer,
            ZilOnnx.Converter.Onnx.OnnxModelFile.Load(temp.File("resumed.onnx")).Graph.Initializer, "after resuming an interrupted run");
    }
}
