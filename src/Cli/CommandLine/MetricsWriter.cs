using System.Text.Json;
using ZilOnnx.Trainer.Training;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>`--metrics FILE.jsonl`: one JSON object per step, flushed as it is written so a killed run keeps its history.</summary>
public sealed class MetricsWriter(string path, bool append) : IDisposable
{
    private readonly StreamWriter _writer = new(path, append) { AutoFlush = true };
    private double _seconds;

    public void Write(TrainingStep step)
    {
        _seconds += step.Elapsed.TotalSeconds;
        var record = new
        {
            step = step.Step,
            loss = step.Loss,
            accuracy = double.IsNaN(step.Accuracy) ? (double?)null : step.Accuracy,
            divergence = step.MaxRelativeDivergence,
            divergence_abs = step.MaxAbsoluteDivergence,
            time = Math.Round(_seconds, 6),
        };
        _writer.WriteLine(JsonSerializer.Serialize(record));
    }

    public void Dispose() => _writer.Dispose();
}
