using System.Diagnostics;
using ZilOnnx.Trainer.Training;

namespace ZilOnnx.Cli.Reporting;

/// <summary>
/// Fine-tuning progress. On an interactive console, one line redrawn in place (a bar, step, epoch, loss,
/// accuracy, divergence, samples/s, ETA); when output goes to a file, a pipe or CI, plain log lines after the
/// first step, about twenty times a run and at least every ten seconds, because a redrawn line would only fill a log with
/// carriage returns. Quiet prints nothing.
/// </summary>
public sealed class ProgressDisplay(long firstStep, long totalSteps, int batchSize, long samplesPerEpoch, bool quiet, bool interactive)
{
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100), LogInterval = TimeSpan.FromSeconds(10);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly long _logEvery = Math.Max(1, (totalSteps - firstStep) / 20);
    private TimeSpan? _lastShown;
    // Throughput and ETA count training time only, not held-out evaluations or checkpoints between steps.
    private TimeSpan _training;
    private bool _barShown;

    /// <summary>Interactive unless output is redirected or the CI variable is set (CI systems attach terminals that keep no line
    /// state).</summary>
    public static bool ConsoleIsInteractive => !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    public void Report(TrainingStep step)
    {
        if (quiet) return;
        _training += step.Elapsed;
        bool last = step.Step == totalSteps;
        if (interactive)
        {
            if (!last && _clock.Elapsed - _lastShown < RedrawInterval) return; // false while nothing was shown yet
            _lastShown = _clock.Elapsed;
            string line = Describe(step, withBar: true);
            int width = Console.IsOutputRedirected ? 0 : SafeWindowWidth();
            Console.Write("\r" + (width > 1 && line.Length >= width ? line[..(width - 1)] : line.PadRight(Math.Max(0, width - 1))));
            _barShown = true;
            if (last) EndBar();
            return;
        }
        // The first step too: it says at once that training runs, and how fast.
        if ((step.Step - firstStep) % _logEvery == 0 || step.Step == firstStep + 1 || last || _clock.Elapsed - _lastShown > LogInterval)
        {
            _lastShown = _clock.Elapsed;
            Console.WriteLine(Describe(step, withBar: false));
        }
    }

    /// <summary>A line of its own (a held-out evaluation, a checkpoint), printed above the bar.</summary>
    public void Line(string text)
    {
        if (quiet) return;
        EndBar();
        Console.WriteLine(text);
    }

    public void EndBar()
    {
        if (!_barShown) return;
        Console.WriteLine();
        _barShown = false;
    }

    private string Describe(TrainingStep step, bool withBar)
    {
        double done = (double)(step.Step - firstStep) / Math.Max(1, totalSteps - firstStep);
        double seconds = Math.Max(_training.TotalSeconds, 1e-9);
        double samplesPerSecond = (step.Step - firstStep) * (double)batchSize / seconds;
        var eta = TimeSpan.FromSeconds(done > 0 ? seconds * (1 - done) / done : 0);
        long epoch = EpochOf(step.Step, batchSize, samplesPerEpoch);
        return (withBar ? $"{Bar(done)} {done,4:P0} " : "") +
               $"step {step.Step}/{totalSteps}  epoch {epoch}  loss {step.Loss:F5}" +
               (double.IsNaN(step.Accuracy) ? "" : $"  acc {step.Accuracy:P1}") +
               (step.MaxRelativeDivergence is { } d ? $"  divergence {d:E2}" : "") +
               $"  {samplesPerSecond:F0} samples/s" + (withBar && step.Step < totalSteps ? $"  ETA {eta:hh\\:mm\\:ss}" : "");
    }

    /// <summary>The pass over the data (1-based) that step s's first sample belongs to.</summary>
    public static long EpochOf(long step, int batchSize, long samplesPerEpoch) => (step - 1) * batchSize / samplesPerEpoch + 1;

    private static string Bar(double done)
    {
        const int width = 20;
        int filled = (int)Math.Round(Math.Clamp(done, 0, 1) * width);
        return "[" + new string('#', filled) + new string('.', width - filled) + "]";
    }

    private static int SafeWindowWidth()
    {
        try { return Console.WindowWidth; }
        catch (IOException) { return 0; }
    }
}
