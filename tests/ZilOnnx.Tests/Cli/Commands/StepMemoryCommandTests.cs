using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// Out of memory is an error, never an abort (docs/cli.md, finetune, "Memory"): a training step that cannot fit is
/// refused before the first step with exit code 2 and one line naming --batch-size, and LeNet-5 trains under a 3 GB
/// address-space limit. Each runs the real program as a process, under `ulimit -v` where a limit is what is tested, so
/// that out-of-memory is only ever provoked inside a bounded process, never in the test process or the machine.
/// </summary>
public sealed class StepMemoryCommandTests
{
    /// <summary>3,000,000 KiB: the limit the issue names, about 2.9 GB of address space.</summary>
    private const long ThreeGigabytes = 3_000_000;

    /// <summary>
    /// Beyond any machine: about 600 GB for a step of LeNet-5 at float64 with rule il. (A PCN's tensors hold at most 2^31
    /// elements, and conv1 has 4704 per sample, so larger batches are refused as a model the PCN cannot hold.)
    /// </summary>
    private const string HugeBatch = "400000";
    private static readonly string[] HugeStep = ["--batch-size", HugeBatch, "--precision", "float64"];

    private static string LeNet => Repository.PathOf("models", "lenet5-fashion.onnx");
    private static string Subset => Repository.PathOf("models", "data", "fashion-mnist-subset");

    /// <summary>The program under `ulimit -v <paramref name="kib"/>`, set in the shell that then becomes the program, so the test process is never limited.</summary>
    private static CliProcess.Result RunUnderAddressSpaceLimit(long kib, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"ulimit -v {kib} && exec dotnet \"$0\" \"$@\"");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "zilonnx.dll"));
        foreach (string a in arguments) start.ArgumentList.Add(a);
        return CliProcess.Complete(start, TimeSpan.FromMinutes(3), $"ulimit -v {kib}; zilonnx {string.Join(' ', arguments)}");
    }

    /// <summary>The one line of a refused step: the batch size, the estimate with its parts, what is available and under which limit.</summary>
    private static void AssertRefused(CliProcess.Result run, string batchSize, string limitPattern)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(new Regex(
            $@"^error: --batch-size {batchSize}: one training step needs about [0-9.]+ [KMGT]?B \(values [0-9.]+ [KMG]B, tapes [0-9.]+ [KMG]B, errors [0-9.]+ [KMG]B, " +
            $@"kernel workspace [0-9.]+ [KMG]B, parameter-sized tensors [0-9.]+ [KMG]B\), but [0-9.]+ [KMG]B are available under {limitPattern}; use a smaller --batch-size$"), line);
        Assert.DoesNotContain("step 1", run.Output);
    }

    [Fact]
    public void Lenet5_trains_under_a_3_GB_address_space_limit()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out.onnx");
        var run = RunUnderAddressSpaceLimit(ThreeGigabytes, "finetune", LeNet, "--data", Subset, "--steps", "5", "-o", output);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("fine-tuned 5 steps", run.Output);
        Assert.True(File.Exists(output));
    }

    [Fact]
    public void A_batch_that_cannot_fit_under_the_address_space_limit_is_refused_before_the_first_step()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out.onnx");
        // About 4.9 GB at batch 20000, under a limit with about 0.8 GB left once the runtime, libtorch and the data are in.
        var run = RunUnderAddressSpaceLimit(ThreeGigabytes, "finetune", LeNet, "--data", Subset, "--batch-size", "20000", "--steps", "1", "-o", output,
            "--checkpoint-every", "1");
        AssertRefused(run, "20000", @"the address-space limit \(ulimit -v\)");
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void A_batch_larger_than_the_machine_is_refused_by_every_command_that_trains()
    {
        // No limit set: what is free (or the cgroup's limit, in a container) is what the step is held to.
        const string limit = @"(free memory \(MemAvailable\)|the cgroup's memory limit)";
        using var temp = new TempDirectory();
        AssertRefused(CliProcess.Run(["finetune", LeNet, "--data", Subset, .. HugeStep, "--rule", "il", "--steps", "1", "-o", temp.File("out.onnx")]), HugeBatch, limit);
        AssertRefused(CliProcess.Run(["verify", LeNet, "--data", Subset, .. HugeStep, "--rule", "il"]), HugeBatch, limit);
        // bench is refused before it makes its batches, which at this size would be what runs out.
        AssertRefused(CliProcess.Run(["bench", LeNet, .. HugeStep, "--rules", "il", "--ort-runs", "0"]), HugeBatch, limit);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void The_program_runs_on_the_segments_garbage_collector_that_the_runtime_ships()
    {
        // The default (regions) collector reserves half of an address-space limit at start, which left libtorch no room
        // under 3 GB; the segments collector reserves as its heap grows (docs/cli.md, "Memory").
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "zilonnx.runtimeconfig.json")));
        string gc = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").GetProperty("System.GC.Name").GetString()!;
        Assert.Equal("libclrgc.so", gc);
        // A runtime without it would not start the program at all.
        Assert.True(File.Exists(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), gc)), $"{gc} is not in {RuntimeEnvironment.GetRuntimeDirectory()}");
    }
}
