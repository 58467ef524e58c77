using System.Diagnostics;
using ZilOnnx.Converter.IO;
using ZilOnnx.Tests.Robustness;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Outputs;

/// <summary>
/// The files around a run (docs/cli.md, "Output files"), each case as the real program in a process of its own: an
/// output that is a pipe, a link, a folder, in a folder that is missing or closed, or that is an input or another
/// output, is refused with exit code 2 and one `error:` line naming the option and the path before anything is
/// trained (stdout stays empty: the run's header comes after the checks); what the user owns is unchanged, and
/// nothing is left behind (no `.NAME.*.tmp`, no `.NAME.lock`).
/// </summary>
public sealed class OutputDisciplineTests
{
    /// <summary>A folder with copies of the small MLP and its data, as a user's files.</summary>
    private sealed class Workspace : IDisposable
    {
        private readonly TempDirectory _temp = new();
        private readonly Dictionary<string, byte[]> _owned = [];

        public Workspace()
        {
            Model = Own("model.onnx", Fixtures.PathOf("mlp.onnx"));
            Data = Own("data.npz", Fixtures.PathOf("mlp.mse.npz"));
        }

        public string Model { get; }
        public string Data { get; }
        public string Path => _temp.Path;

        public string File(string name) => _temp.File(name);

        /// <summary>A copy of <paramref name="source"/> (or the given bytes) whose bytes must survive every run.</summary>
        public string Own(string name, string? source = null, byte[]? bytes = null)
        {
            string path = _temp.File(name);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            System.IO.File.WriteAllBytes(path, bytes ?? System.IO.File.ReadAllBytes(source!));
            _owned[path] = System.IO.File.ReadAllBytes(path);
            return path;
        }

        /// <summary>Two steps of the MLP on its data with <paramref name="more"/> (a --steps there replaces the two).</summary>
        public string[] Finetune(params string[] more) =>
            ["finetune", Model, "--data", Data, "--loss", "mse", "--batch-size", "8", .. more.Contains("--steps") ? Array.Empty<string>() : ["--steps", "2"], "--no-shuffle", .. more];

        public void AssertOwnedFilesUnchanged()
        {
            foreach (var (path, bytes) in _owned) Assert.True(bytes.AsSpan().SequenceEqual(System.IO.File.ReadAllBytes(path)), $"{path} was changed");
        }

        /// <summary>Our temporary and lock files anywhere under the folder.</summary>
        public string[] Leftovers() => Directory.EnumerateFiles(_temp.Path, ".*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".tmp", StringComparison.Ordinal) || f.EndsWith(".lock", StringComparison.Ordinal)).ToArray();

        public void Dispose() => _temp.Dispose();
    }

    private static void AssertRefused(CliProcess.Result run, string expectedStart, Workspace workspace)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        string[] lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, run.ToString());
        Assert.StartsWith(expectedStart, lines[0]);
        Assert.True(run.Output.Length == 0, $"the run got past its output checks:\n{run}");
        workspace.AssertOwnedFilesUnchanged();
        Assert.Empty(workspace.Leftovers());
    }

    [Theory]
    [InlineData("-o", "pipe")]
    [InlineData("-o", "link")]
    [InlineData("-o", "folder")]
    [InlineData("--checkpoint", "pipe")]
    [InlineData("--checkpoint", "link")]
    [InlineData("--checkpoint", "folder")]
    [InlineData("--metrics", "pipe")]
    [InlineData("--metrics", "link")]
    [InlineData("--plot", "pipe")]
    [InlineData("--plot", "link")]
    public void An_output_that_is_not_a_regular_file_is_refused_and_left_as_it_is(string option, string kind)
    {
        using var workspace = new Workspace();
        string target = workspace.Own("target.txt", bytes: "the link's target"u8.ToArray());
        string special = workspace.File("special.out");
        string expected;
        switch (kind)
        {
            case "pipe":
                HostileModels.NamedPipe(special);
                expected = "is a named pipe (FIFO), not a regular file: writing would replace it";
                break;
            case "link":
                File.CreateSymbolicLink(special, target);
                expected = $"is a symbolic link (to {target}): writing would replace the link, not its target";
                break;
            default:
                Directory.CreateDirectory(special);
                expected = "is a folder; give the path of a file to write";
                break;
        }
        string[] output = option == "-o" ? [] : ["-o", workspace.File("out.onnx")];

        var run = CliProcess.Run(workspace.Finetune([.. output, option, special]));

        AssertRefused(run, $"error: {option} {special}: {expected}", workspace);
        var kindNow = PathStatus.Of(special, followLinks: false).Kind;
        Assert.Equal(kind switch { "pipe" => PathKind.NamedPipe, "link" => PathKind.SymbolicLink, _ => PathKind.Directory }, kindNow);
        if (kind == "link") Assert.Equal(target, new FileInfo(special).LinkTarget);
        Assert.False(File.Exists(workspace.File("out.onnx")));
    }

    [Theory]
    [InlineData("-o")]
    [InlineData("--checkpoint")]
    [InlineData("--metrics")]
    [InlineData("--plot")]
    public void An_output_in_a_missing_folder_is_refused_before_training(string option)
    {
        using var workspace = new Workspace();
        string missing = Path.Combine(workspace.Path, "missing"), path = Path.Combine(missing, "file.out");
        string[] output = option == "-o" ? [] : ["-o", workspace.File("out.onnx")];

        var run = CliProcess.Run(workspace.Finetune([.. output, option, path]));

        AssertRefused(run, $"error: {option} {path}: the folder {missing} does not exist", workspace);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void An_output_under_a_file_is_refused()
    {
        using var workspace = new Workspace();
        string path = Path.Combine(workspace.Data, "out.onnx");
        var run = CliProcess.Run(workspace.Finetune("-o", path));
        AssertRefused(run, $"error: -o {path}: {workspace.Data} is not a folder", workspace);
    }

    [Fact]
    public void An_output_in_a_folder_without_write_permission_is_refused_before_training()
    {
        if (OperatingSystem.IsWindows()) return; // Unix permissions; the CI and the supported platform are Linux
        using var workspace = new Workspace();
        string closed = workspace.File("closed");
        Directory.CreateDirectory(closed);
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            // Root writes through permissions; a folder of the kernel's then stands in for a closed one (nothing is created there).
            bool permissionsBind = !CanCreateFileIn(closed);
            string folder = permissionsBind ? closed : "/sys";
            if (!permissionsBind && CanCreateFileIn(folder)) return; // no closed folder to try on this machine
            string path = Path.Combine(folder, $"zilonnx-{Guid.NewGuid():N}.onnx");

            var run = CliProcess.Run(workspace.Finetune("-o", path));

            AssertRefused(run, $"error: -o {path}: no permission to create files in the folder {folder}", workspace);
            Assert.False(File.Exists(path));
        }
        finally
        {
            File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static bool CanCreateFileIn(string folder)
    {
        string probe = Path.Combine(folder, $".probe-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [Theory]
    [InlineData("checkpoint-is-model")]
    [InlineData("metrics-is-model")]
    [InlineData("plot-is-model")]
    [InlineData("checkpoint-is-model-with-force")]
    [InlineData("checkpoint-is-a-hard-link-to-the-model")]
    [InlineData("plot-is-the-model-through-dot-dot")]
    [InlineData("plot-is-output")]
    [InlineData("metrics-is-checkpoint")]
    [InlineData("output-is-data")]
    [InlineData("metrics-is-data")]
    [InlineData("output-is-one-of-an-npy-pair")]
    [InlineData("metrics-replaces-a-file-of-the-val-data-folder")]
    public void An_output_that_is_an_input_or_another_output_is_refused(string situation)
    {
        using var workspace = new Workspace();
        string model = workspace.Model, data = workspace.Data, output = workspace.File("out.onnx");
        (string[] arguments, string expected) = situation switch
        {
            "checkpoint-is-model" => (workspace.Finetune("-o", output, "--checkpoint", model), $"error: --checkpoint {model} is the input model {model}: writing it would replace that file"),
            "metrics-is-model" => (workspace.Finetune("-o", output, "--metrics", model), $"error: --metrics {model} is the input model {model}"),
            "plot-is-model" => (workspace.Finetune("-o", output, "--plot", model), $"error: --plot {model} is the input model {model}"),
            // --force lets -o replace the model, nothing else.
            "checkpoint-is-model-with-force" => (workspace.Finetune("-o", output, "--checkpoint", model, "--force"), $"error: --checkpoint {model} is the input model {model}"),
            "checkpoint-is-a-hard-link-to-the-model" => HardLinkToModel(),
            "plot-is-the-model-through-dot-dot" => DotDot(),
            "plot-is-output" => (workspace.Finetune("-o", output, "--plot", output), $"error: --plot {output} and -o {output} are the same file: one would replace the other"),
            "metrics-is-checkpoint" => (workspace.Finetune("-o", output, "--metrics", workspace.File("out.checkpoint.pcn")),
                $"error: --metrics {workspace.File("out.checkpoint.pcn")} and --checkpoint (default) {workspace.File("out.checkpoint.pcn")} are the same file"),
            "output-is-data" => (workspace.Finetune("-o", data), $"error: -o {data} is the --data file {data}: writing it would replace that file"),
            "metrics-is-data" => (workspace.Finetune("-o", output, "--metrics", data), $"error: --metrics {data} is the --data file {data}"),
            "output-is-one-of-an-npy-pair" => NpyPair(),
            _ => ValidationFolder(),
        };

        var run = CliProcess.Run(arguments);

        AssertRefused(run, expected, workspace);
        Assert.False(File.Exists(output));

        (string[], string) HardLinkToModel()
        {
            string hard = workspace.File("hard.onnx");
            HardLink.Make(model, hard);
            return (workspace.Finetune("-o", output, "--checkpoint", hard), $"error: --checkpoint {hard} is the input model {model}");
        }

        (string[], string) DotDot()
        {
            Directory.CreateDirectory(workspace.File("sub"));
            string plot = Path.Combine(workspace.Path, "sub", "..", "model.onnx");
            return (workspace.Finetune("-o", output, "--plot", plot), $"error: --plot {plot} is the input model {model}");
        }

        (string[], string) NpyPair()
        {
            string x = workspace.Own("x.npy", bytes: [1, 2, 3]), y = workspace.Own("y.npy", bytes: [4, 5, 6]);
            return (["finetune", model, "--data", $"{x},{y}", "-o", y], $"error: -o {y} is the --data file {y}");
        }

        (string[], string) ValidationFolder()
        {
            string labels = workspace.Own(Path.Combine("idx", "t10k-labels-idx1-ubyte"), bytes: [0, 0, 8, 1]);
            return (workspace.Finetune("-o", output, "--val-data", workspace.File("idx"), "--metrics", labels),
                $"error: --metrics {labels} is a file in the --val-data folder {workspace.File("idx")}: writing it would replace that file");
        }
    }

    [Fact]
    public void A_resumed_checkpoint_replaces_itself_but_a_plain_pcn_model_is_not_replaced_by_a_checkpoint()
    {
        using var workspace = new Workspace();
        string output = workspace.File("run.onnx"), checkpoint = workspace.File("run.checkpoint.pcn");
        var first = CliProcess.Run(workspace.Finetune("-o", output, "--checkpoint-every", "1"));
        Assert.True(first.ExitCode == 0, first.ToString());
        byte[] atStepTwo = File.ReadAllBytes(checkpoint);

        // The command an interruption prints: the checkpoint is MODEL and, by default, where checkpoints go.
        var resumed = CliProcess.Run("finetune", checkpoint, "--data", workspace.Data, "--steps", "4", "--checkpoint-every", "1", "-o", output);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.NotEqual(atStepTwo, File.ReadAllBytes(checkpoint));

        string pcn = workspace.File("model.pcn");
        var converted = CliProcess.Run("convert", workspace.Model, pcn);
        Assert.True(converted.ExitCode == 0, converted.ToString());
        byte[] plain = File.ReadAllBytes(pcn);
        var refused = CliProcess.Run("finetune", pcn, "--data", workspace.Data, "--loss", "mse", "--steps", "1", "-o", output, "--checkpoint", pcn);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.StartsWith($"error: --checkpoint {pcn} is the input model {pcn}", refused.Error);
        Assert.Equal(plain, File.ReadAllBytes(pcn));
        Assert.Empty(workspace.Leftovers());
    }

    [Fact]
    public void A_second_run_on_the_same_outputs_refuses_at_its_start_and_a_killed_runs_lock_does_not_block_the_next()
    {
        using var workspace = new Workspace();
        string output = workspace.File("out.onnx"), metrics = workspace.File("metrics.jsonl");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])[Path.Combine(AppContext.BaseDirectory, "zilonnx.dll"),
                     .. workspace.Finetune("--steps", "1000000", "--verify-every", "0", "-o", output, "--metrics", metrics)])
            start.ArgumentList.Add(argument);
        using var first = Process.Start(start)!;
        try
        {
            var firstErrors = StreamDrain.Start(first.StandardError);
            string? line;
            while ((line = first.StandardOutput.ReadLine()) != null && !line.StartsWith("step ")) { }
            // (The errors are read only when it ended: reading them waits for the stream's end.)
            if (line == null) Assert.Fail($"the long run ended early: {firstErrors.Text}");
            _ = StreamDrain.Start(first.StandardOutput);

            var sameOutput = CliProcess.Run(workspace.Finetune("-o", output));
            AssertRefused(sameOutput, $"error: -o {output}: another zilonnx run is writing it (it holds the lock {workspace.File(".out.onnx.lock")})", workspace, leftoversAllowed: true);
            var sameMetrics = CliProcess.Run(workspace.Finetune("-o", workspace.File("other.onnx"), "--metrics", metrics));
            AssertRefused(sameMetrics, $"error: --metrics {metrics}: another zilonnx run is writing it", workspace, leftoversAllowed: true);
            Assert.False(File.Exists(workspace.File("other.onnx")));
        }
        finally
        {
            first.Kill(entireProcessTree: true); // SIGKILL: the lock files stay, their locks go with the process
            first.WaitForExit();
        }
        Assert.NotEmpty(workspace.Leftovers());

        var next = CliProcess.Run(workspace.Finetune("-o", output, "--metrics", metrics));
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Equal(2, File.ReadAllLines(metrics).Length);
        Assert.Empty(workspace.Leftovers());
        workspace.AssertOwnedFilesUnchanged();
    }

    private static void AssertRefused(CliProcess.Result run, string expectedStart, Workspace workspace, bool leftoversAllowed)
    {
        if (!leftoversAllowed)
        {
            AssertRefused(run, expectedStart, workspace);
            return;
        }
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.True(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries) is [var only] && only.StartsWith(expectedStart, StringComparison.Ordinal), run.ToString());
        Assert.True(run.Output.Length == 0, run.ToString());
        workspace.AssertOwnedFilesUnchanged();
    }

    [Fact]
    public void Temporary_files_a_killed_writer_left_next_to_an_output_are_removed_by_the_next_run_and_no_others()
    {
        using var workspace = new Workspace();
        string output = workspace.File("out.onnx");
        string[] stale = [$".out.onnx.{Guid.NewGuid():N}.tmp", $".out.checkpoint.pcn.{Guid.NewGuid():N}.tmp"];
        string[] kept = [$".other.onnx.{Guid.NewGuid():N}.tmp", ".out.onnx.notes.tmp"];
        foreach (string name in stale.Concat(kept)) File.WriteAllText(workspace.File(name), "half a model");

        var run = CliProcess.Run(workspace.Finetune("-o", output));

        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (string name in stale) Assert.False(File.Exists(workspace.File(name)), $"{name} was left");
        foreach (string name in kept) Assert.True(File.Exists(workspace.File(name)), $"{name} is not ours to remove");
    }

    [Theory]
    [InlineData("verify-sweep-out-pipe")]
    [InlineData("verify-energy-link")]
    [InlineData("run-output-pipe")]
    [InlineData("run-output-is-data")]
    [InlineData("convert-out-link")]
    [InlineData("convert-out-hard-link-to-in")]
    public void Every_command_that_writes_checks_its_outputs_the_same_way(string situation)
    {
        using var workspace = new Workspace();
        string model = workspace.Model, data = workspace.Data, target = workspace.Own("target.txt", bytes: "keep"u8.ToArray());
        (string[] arguments, string expected) = situation switch
        {
            "verify-sweep-out-pipe" => (["verify", model, "--data", data, "--loss", "mse", "--rule", "il", "--sweep", "T=1:2", "--sweep-out", Pipe("sweep.csv")[..^4]],
                $"error: --sweep-out {workspace.File("sweep.csv")}: is a named pipe (FIFO)"),
            "verify-energy-link" => (["verify", model, "--data", data, "--loss", "mse", "--rule", "il", "--energy", Link("energy.png")[..^4]],
                $"error: --energy {workspace.File("energy.png")}: is a symbolic link"),
            "run-output-pipe" => (["run", model, "--data", data, "-o", Pipe("out.npz")], $"error: -o {workspace.File("out.npz")}: is a named pipe (FIFO)"),
            "run-output-is-data" => (["run", model, "--data", data, "-o", data], $"error: -o {data} is the --data file {data}"),
            "convert-out-link" => (["convert", model, Link("model.pcn")], $"error: OUT {workspace.File("model.pcn")}: is a symbolic link"),
            _ => HardLinkedPcn(),
        };

        var run = CliProcess.Run(arguments);

        AssertRefused(run, expected, workspace);
        Assert.Equal("keep", File.ReadAllText(target));

        string Pipe(string name) => HostileModels.NamedPipe(workspace.File(name));

        string Link(string name)
        {
            File.CreateSymbolicLink(workspace.File(name), target);
            return workspace.File(name);
        }

        (string[], string) HardLinkedPcn()
        {
            HardLink.Make(model, workspace.File("model.pcn"));
            return (["convert", model, workspace.File("model.pcn")], $"error: OUT {workspace.File("model.pcn")} is the input model {model}");
        }
    }
}
