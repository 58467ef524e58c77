using System.Diagnostics;
using Google.Protobuf;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Robustness;

/// <summary>One command line run on a hostile file.</summary>
public sealed record CommandResult(string Command, int ExitCode, string Output, string Error, TimeSpan Elapsed, bool TimedOut)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public override string ToString() => $"zilonnx {Command}: exit {ExitCode} after {Elapsed.TotalSeconds:F2} s{(TimedOut ? " (killed: hung)" : "")}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>What one hostile file did: in process (outcome, message) and under each command.</summary>
public sealed record HostileResult(HostileCase Case, string ModelPath, string OutputFolder, PipelineOutcome Outcome, string? Message,
    IReadOnlyList<CommandResult> Commands)
{
    public CommandResult Command(string name) => Commands.Single(c => c.Command == name);
}

/// <summary>
/// Builds every case of <see cref="HostileModels"/> into a folder of its own under one temporary root and runs
/// `inspect`, `convert` and `finetune` on each as separate processes (a few at a time), and the template itself as the
/// control. Runs once, when first asked, for every test of the Robustness collection.
/// </summary>
public sealed class HostileRun : IDisposable
{
    public static readonly string[] Commands = ["inspect", "convert", "finetune"];

    /// <summary>The hang guard: a command still running after this is killed and fails its test. Not a timing assertion.</summary>
    public static readonly TimeSpan ProcessBound = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _root = new();
    private readonly Lazy<IReadOnlyList<HostileResult>> _results;
    private readonly Lazy<HostileResult> _control;

    public HostileRun()
    {
        _results = new(() => RunAll(HostileModels.All));
        _control = new(() => RunAll([new HostileCase("template", "", "the valid template every case is made from", HostileKind.Broken, "",
            folder =>
            {
                string path = Path.Combine(folder, "template.onnx");
                File.WriteAllBytes(path, HostileModels.Template().ToByteArray());
                return path;
            })])[0]);
    }

    /// <summary>The temporary root every case's folder is in; messages show it as <c>&lt;tmp&gt;</c>.</summary>
    public string Root => _root.Path;

    public IReadOnlyList<HostileResult> Results => _results.Value;

    public HostileResult Control => _control.Value;

    public HostileResult Of(string id) => Results.Single(r => r.Case.Id == id);

    /// <summary>A message with the temporary root replaced by a placeholder, so the page does not change from run to run.</summary>
    public string Placeholder(string text) => text.Replace(Root, "<tmp>");

    private IReadOnlyList<HostileResult> RunAll(IReadOnlyList<HostileCase> cases)
    {
        var built = cases.Select(c =>
        {
            string folder = Directory.CreateDirectory(Path.Combine(Root, c.Id)).FullName;
            string model = c.Build(folder);
            string output = Directory.CreateDirectory(Path.Combine(Root, c.Id + "-out")).FullName;
            return (Case: c, Model: model, Output: output);
        }).ToList();

        var inProcess = built.Select(b =>
        {
            var (outcome, error) = ModelPipeline.Classify(b.Model);
            return (Outcome: outcome, Message: error?.Message);
        }).ToList();

        var jobs = built.SelectMany((b, i) => Commands.Select(command => (Index: i, Command: command))).ToList();
        var results = new CommandResult[jobs.Count];
        Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(Environment.ProcessorCount, 2, 4) }, j =>
        {
            var (i, command) = jobs[j];
            results[j] = RunCommand(command, built[i].Model, built[i].Output);
        });

        return built.Select((b, i) => new HostileResult(b.Case, b.Model, b.Output, inProcess[i].Outcome, inProcess[i].Message,
            results.Where((_, j) => jobs[j].Index == i).ToList())).ToList();
    }

    public static string[] Arguments(string command, string model, string outputFolder) => command switch
    {
        "inspect" => ["inspect", model],
        // convert goes from .onnx to .pcn and back.
        "convert" => ["convert", model, Path.Combine(outputFolder, model.EndsWith(".pcn", StringComparison.Ordinal) ? "converted.onnx" : "converted.pcn")],
        "finetune" => ["finetune", model, "--data", Fixtures.PathOf(HostileModels.DataFixture), "-o", Path.Combine(outputFolder, "finetuned.onnx"),
            "--steps", "1", "--batch-size", "8", "--quiet"],
        _ => throw new ArgumentOutOfRangeException(nameof(command)),
    };

    private static CommandResult RunCommand(string command, string model, string outputFolder)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var run = CliProcess.Run(ProcessBound, Arguments(command, model, outputFolder));
            return new CommandResult(command, run.ExitCode, run.Output, run.Error, clock.Elapsed, TimedOut: false);
        }
        catch (TimeoutException e)
        {
            return new CommandResult(command, -1, "", e.Message, clock.Elapsed, TimedOut: true);
        }
    }

    public void Dispose() => _root.Dispose();
}
