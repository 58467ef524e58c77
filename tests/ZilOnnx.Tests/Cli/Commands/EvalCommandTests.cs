using System.Globalization;
using System.Text.RegularExpressions;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>`zilonnx eval`: loss, top-1/top-5, throughput and a confusion matrix that accounts for every sample.</summary>
public sealed class EvalCommandTests
{
    [Fact]
    public void Reports_loss_accuracies_throughput_and_a_confusion_matrix_of_every_sample()
    {
        var run = CliProcess.Run("eval", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"), "--provider", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("(32 samples, cpu provider)", run.Output);
        var summary = Regex.Match(run.Output, @"loss (\d+\.\d{4})  top-1 (\d+\.\d\d) %  top-5 (\d+\.\d\d) %  (\d+) samples/s");
        Assert.True(summary.Success, run.Output);
        // The program prints in the invariant culture; read it so, whatever culture the test machine has.
        double top1 = double.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture), top5 = double.Parse(summary.Groups[3].Value, CultureInfo.InvariantCulture);
        Assert.True(top1 <= top5, "top-5 below top-1");

        var rows = Regex.Matches(run.Output, @"^\s+(\d+): ((?:\s+\d+){10})$", RegexOptions.Multiline);
        Assert.Equal(10, rows.Count);
        var counts = rows.Select(r => r.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray()).ToArray();
        var labels = Fixtures.Arrays("lenet5.ce.npz")["y"].Values;
        for (int label = 0; label < 10; label++)
            Assert.Equal(labels.Count(l => l == label), counts[label].Sum());
        // The diagonal is what top-1 counts.
        double diagonal = Enumerable.Range(0, 10).Sum(i => counts[i][i]);
        Assert.Equal(Math.Round(100 * diagonal / labels.Length, 2), top1);
    }

    [Fact]
    public void Cuda_where_it_is_not_usable_is_exit_code_2_and_auto_falls_back_with_one_notice_per_machine_state()
    {
        var cuda = CliProcess.Run("eval", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"), "--provider", "cuda");
        // This machine class has no GPU; where CUDA does work, the run succeeds on it instead.
        if (cuda.ExitCode == 0) { Assert.Contains("cuda provider", cuda.Output); return; }
        Assert.True(cuda.ExitCode == 2, cuda.ToString());
        Assert.Contains("CUDA execution provider is not usable", cuda.Error);

        // The notice is remembered in a cache of this test's own, never the user's.
        using var cache = new TempDirectory();
        var environment = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cache.Path };
        var auto = CliProcess.Run(TimeSpan.FromMinutes(3), environment, "eval", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"));
        Assert.True(auto.ExitCode == 0, auto.ToString());
        Assert.Single(auto.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("running on the CPU", auto.Error);
        Assert.Contains("cpu provider", auto.Output);

        // Once per machine state: the next run says nothing of it (its first line still names the provider),
        // and a notice that changes (another reason) is shown again.
        var again = CliProcess.Run(TimeSpan.FromMinutes(3), environment, "eval", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("", again.Error.Trim());
        Assert.Contains("cpu provider", again.Output);
        File.WriteAllText(Path.Combine(cache.Path, "zilonnx", "cuda-fallback.notice"), "CUDA is not usable (an older reason); running on the CPU.");
        var changed = CliProcess.Run(TimeSpan.FromMinutes(3), environment, "eval", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"));
        Assert.Contains("running on the CPU", changed.Error);
    }
}
