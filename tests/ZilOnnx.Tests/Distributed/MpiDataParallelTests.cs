using System.Diagnostics;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Verification;
using Xunit.Abstractions;

namespace ZilOnnx.Tests.Distributed;

/// <summary>
/// `mpirun -np 2 zilonnx finetune ... --distributed mpi` on the shipped LeNet-5 against one process with the same
/// global batch, the end of a job whose rank is killed, and the resume of its checkpoint by a single process.
/// </summary>
public sealed class MpiDataParallelTests(ITestOutputHelper log)
{
    private const int BatchSize = 16;

    /// <summary>
    /// Relative to each parameter's largest magnitude. Two ranks sum two half-batch means where one process sums the
    /// whole batch in one go, so the float64 results differ by summation order only: each step's update by a few ulp
    /// (~1e-16 relative), which SGD carries into the parameters scaled by lr. A wrong split (a shard missing, counted
    /// twice, a mean not rescaled) moves the parameters by lr * gradient, about 1e-4 of their size and more.
    /// </summary>
    private const double Tolerance = 1e-12;

    private static string Model => Repository.PathOf("models", "lenet5-fashion.onnx");
    private static string Data => Repository.PathOf("models", "data", "fashion-mnist-subset");

    private static string[] Finetune(string output, int steps, params string[] extra) =>
        ["finetune", Model, "--data", Data, "--precision", "float64", "--batch-size", BatchSize.ToString(), "--steps", steps.ToString(),
         "--threads", "1", "--quiet", "-o", output, .. extra];

    [Fact]
    public void Mpirun_is_installed()
    {
        Assert.True(MpiJob.Mpirun != "", "mpirun is not on PATH: install Open MPI (scripts/install-packages.sh openmpi-bin, which .ci/run does)");
    }

    /// <remarks>Adam divides by sqrt(v), which magnifies ulp-level differences in a parameter's tiny gradients more
    /// than SGD does (seen: 2e-14 after 60 steps), still far below the tolerance.</remarks>
    [Theory]
    [InlineData("momentum", "0.01", 8)]
    [InlineData("adam", "0.001", 30)]
    public void Two_ranks_train_the_parameters_one_process_trains(string optimizer, string learningRate, int steps)
    {
        Assert.True(MpiJob.Mpirun != "", "mpirun is not on PATH: install openmpi-bin");
        using var temp = new TempDirectory();
        // The checkpoints hold the parameters in full float64 (the .onnx keeps the model's float32 initializers).
        string[] settings = ["--checkpoint-every", $"{steps}", "--optimizer", optimizer, "--lr", learningRate];
        var single = CliProcess.Run(Finetune(temp.File("one.onnx"), steps, settings));
        Assert.True(single.ExitCode == 0, single.ToString());
        var job = MpiJob.Run(2, TimeSpan.FromMinutes(3), Finetune(temp.File("two.onnx"), steps, [.. settings, "--distributed", "mpi"]));
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.True(File.Exists(temp.File("two.onnx")), "rank 0 writes the output");

        double worst = WorstRelativeDifference(temp.File("one.checkpoint.pcn"), temp.File("two.checkpoint.pcn"));
        log.WriteLine($"two ranks vs one process, {optimizer}, after {steps} steps: {worst:E2} relative");
        Assert.True(worst <= Tolerance, $"two ranks differ from one process by {worst:E2} (relative), over {Tolerance:E0}");
    }

    [Fact]
    public void A_killed_rank_ends_the_job_with_a_message_and_its_checkpoint_resumes_in_one_process()
    {
        Assert.True(MpiJob.Mpirun != "", "mpirun is not on PATH: install openmpi-bin");
        using var temp = new TempDirectory();
        string checkpoint = temp.File("killed.checkpoint.pcn");
        using var running = RunningMpiJob.StartAndAwaitCheckpoint(2, checkpoint,
            Finetune(temp.File("killed.onnx"), 100_000, "--checkpoint-every", "3", "--distributed", "mpi", "--mpi-timeout", "60"));
        var job = running.Process;
        int rank1 = MpiJob.RankProcess(1, temp.Path) ?? throw new InvalidOperationException("rank 1 of the job was not found");
        Process.GetProcessById(rank1).Kill();

        // Both the launcher and rank 0 must end promptly: mpirun ends the job when a rank dies.
        var clock = Stopwatch.StartNew();
        Assert.True(job.WaitForExit(TimeSpan.FromSeconds(30)), "the job did not end within 30 s of rank 1's death");
        log.WriteLine($"the job ended {clock.Elapsed.TotalSeconds:F2} s after rank 1 was killed, exit {job.ExitCode}");
        Assert.Null(MpiJob.RankProcess(0, temp.Path));
        string messages = running.Messages();
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("rank 1", messages);
        Assert.Contains("rank 0 of 2: SIGTERM received", messages);

        // The checkpoint of the two-rank job continues in one process exactly as a one-process run that never stopped.
        long at = Checkpoint.ReadState(PcnArchive.Read(checkpoint).Entries)!.Step;
        long total = at + 3;
        double worst = ResumedAgainstStraight(temp, checkpoint, total, ranks: 1);
        log.WriteLine($"resumed at step {at} in one process vs straight: {worst:E2} relative\n{messages}");
        Assert.True(worst <= Tolerance, $"the resumed run differs from the straight one by {worst:E2} (relative)");
    }

    [Fact]
    public void Ctrl_c_on_mpirun_stops_every_rank_after_the_same_step_and_two_ranks_resume_the_checkpoint()
    {
        Assert.True(MpiJob.Mpirun != "", "mpirun is not on PATH: install openmpi-bin");
        using var temp = new TempDirectory();
        string checkpoint = temp.File("stopped.checkpoint.pcn");
        // A first checkpoint tells that training is under way; the interruption then overwrites it.
        using var running = RunningMpiJob.StartAndAwaitCheckpoint(2, checkpoint,
            Finetune(temp.File("stopped.onnx"), 100_000, "--checkpoint-every", "5", "--distributed", "mpi"));
        Assert.Equal(0, Signal(running.Process.Id, 2)); // SIGINT, as Ctrl-C: mpirun sends SIGTERM to every rank
        Assert.True(running.Process.WaitForExit(TimeSpan.FromSeconds(30)), "the job did not end within 30 s of Ctrl-C");
        string messages = running.Messages();
        log.WriteLine(messages);
        var interrupted = System.Text.RegularExpressions.Regex.Match(messages, @"interrupted \(.*?\) after step (\d+)/");
        Assert.True(interrupted.Success, $"rank 0 did not report the interruption:\n{messages}");
        long at = Checkpoint.ReadState(PcnArchive.Read(checkpoint).Entries)!.Step;
        Assert.Equal(long.Parse(interrupted.Groups[1].Value), at);

        long total = at + 3;
        double worst = ResumedAgainstStraight(temp, checkpoint, total, ranks: 2);
        log.WriteLine($"stopped at step {at}, resumed with 2 ranks vs one process straight: {worst:E2} relative");
        Assert.True(worst <= Tolerance, $"the resumed run differs from the straight one by {worst:E2} (relative)");
    }

    [Fact]
    public void A_rank_that_stops_answering_ends_the_job_after_the_mpi_timeout()
    {
        Assert.True(MpiJob.Mpirun != "", "mpirun is not on PATH: install openmpi-bin");
        using var temp = new TempDirectory();
        string checkpoint = temp.File("hung.checkpoint.pcn");
        using var running = RunningMpiJob.StartAndAwaitCheckpoint(2, checkpoint,
            Finetune(temp.File("hung.onnx"), 100_000, "--checkpoint-every", "3", "--distributed", "mpi", "--mpi-timeout", "15"));
        var job = running.Process;
        int rank1 = MpiJob.RankProcess(1, temp.Path) ?? throw new InvalidOperationException("rank 1 of the job was not found");
        try
        {
            // SIGSTOP: the process lives on, so the launcher sees nothing wrong; only rank 0's bounded wait ends the job.
            // 15 s, not less: the first collective also waits for the slower rank's set-up, slow on a loaded machine.
            Assert.Equal(0, Signal(rank1, 19));
            var clock = Stopwatch.StartNew();
            Assert.True(job.WaitForExit(TimeSpan.FromSeconds(60)), "the job did not end within 60 s of rank 1 stopping (timeout 15 s)");
            log.WriteLine($"the job ended {clock.Elapsed.TotalSeconds:F2} s after rank 1 stopped, exit {job.ExitCode}");
        }
        finally
        {
            Signal(rank1, 9);
        }
        string messages = running.Messages();
        Assert.Equal(5, job.ExitCode);
        Assert.Contains("rank 0 of 2: the allreduce", messages);
        Assert.Contains("did not complete within 15 s (--mpi-timeout): another rank died or stopped answering", messages);
    }

    /// <summary>
    /// Resumes <paramref name="checkpoint"/> up to step <paramref name="total"/> with the given number of ranks, trains a
    /// one-process run straight to the same step, and returns how far apart their parameters are (relative).
    /// </summary>
    private static double ResumedAgainstStraight(TempDirectory temp, string checkpoint, long total, int ranks)
    {
        string[] resume = ["finetune", checkpoint, "--data", Data, "--steps", total.ToString(), "--threads", "1", "--quiet",
            "-o", temp.File("resumed.onnx"), "--checkpoint", temp.File("resumed.checkpoint.pcn"), "--checkpoint-every", total.ToString()];
        var resumed = ranks == 1 ? CliProcess.Run(resume) : MpiJob.Run(ranks, TimeSpan.FromMinutes(2), [.. resume, "--distributed", "mpi"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var straight = CliProcess.Run(Finetune(temp.File("straight.onnx"), (int)total, "--checkpoint-every", total.ToString()));
        Assert.True(straight.ExitCode == 0, straight.ToString());
        return WorstRelativeDifference(temp.File("straight.checkpoint.pcn"), temp.File("resumed.checkpoint.pcn"));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Signal(int pid, int signal);

    [Fact]
    public void An_unknown_distributed_mode_is_a_usage_error_naming_it()
    {
        using var temp = new TempDirectory();
        var run = CliProcess.Run(Finetune(temp.File("x.onnx"), 1, "--distributed", "gloo"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--distributed 'gloo'", run.Error);
    }

    [Fact]
    public void Mpi_without_open_mpi_is_bad_input_naming_what_to_install()
    {
        using var temp = new TempDirectory();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "zilonnx.dll"), "finetune", Model, "--data", Data, "--steps", "1", "-o", temp.File("x.onnx"), "--distributed", "mpi" })
            start.ArgumentList.Add(a);
        start.Environment["ZILONNX_MPI_LIBRARY"] = temp.File("libmpi.so.40"); // no such file: as on a machine without Open MPI
        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Equal(2, process.ExitCode);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("error: --distributed mpi needs Open MPI's libmpi.so.40", error);
        Assert.Contains("apt-get install openmpi-bin", error);
    }

    [Fact]
    public void Mpi_without_mpirun_trains_as_one_process_and_says_so()
    {
        using var temp = new TempDirectory();
        var run = CliProcess.Run(["finetune", Model, "--data", Data, "--batch-size", "8", "--steps", "2", "--threads", "1", "-o", temp.File("x.onnx"), "--distributed", "mpi"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("job of one process", run.Output);
    }

    [Fact]
    public void A_batch_that_does_not_split_evenly_across_ranks_is_a_usage_error()
    {
        Assert.True(MpiJob.Mpirun != "", "mpirun is not on PATH: install openmpi-bin");
        using var temp = new TempDirectory();
        var job = MpiJob.Run(2, TimeSpan.FromMinutes(2), ["finetune", Model, "--data", Data, "--batch-size", "15", "--steps", "1", "--threads", "1", "-o", temp.File("x.onnx"), "--distributed", "mpi"]);
        Assert.Equal(1, job.ExitCode);
        Assert.Contains("--batch-size 15 does not split into 2 equal shards", job.Output + job.Error);
    }

    /// <summary>max over parameters of max|a - b| / max|a|, from the float64 parameters two checkpoints hold.</summary>
    private static double WorstRelativeDifference(string expectedCheckpoint, string actualCheckpoint)
    {
        var expected = Parameters(expectedCheckpoint);
        var actual = Parameters(actualCheckpoint);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        double worst = 0;
        foreach (var (name, a) in expected)
        {
            var b = actual[name];
            double scale = a.Select(Math.Abs).LargestOrNaN(), difference = SequenceDifference.MaxAbs(a, b);
            worst = Math.Max(worst, scale > 0 ? difference / scale : difference);
        }
        return worst;
    }

    private static Dictionary<string, double[]> Parameters(string checkpoint)
    {
        const string prefix = "checkpoint/parameters/";
        return PcnArchive.Read(checkpoint).Entries.Where(e => e.Key.StartsWith(prefix)).ToDictionary(
            e => e.Key[prefix.Length..^".npy".Length],
            e => { using var stream = new MemoryStream(e.Value); return NpyFormat.Read(stream, e.Key).Values; });
    }
}
