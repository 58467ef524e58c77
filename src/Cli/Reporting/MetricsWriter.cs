using System.Text.Json;
using ZilOnnx.Converter.IO;
using ZilOnnx.Trainer.Training;

namespace ZilOnnx.Cli.Reporting;

/// <summary>
/// `--metrics FILE.jsonl`: one JSON object per step (`step`, `epoch`, `loss`, `accuracy`, `divergence`,
/// `divergence_abs`, `time`, `inference_steps` for rules with PC dynamics, `parameters` (each parameter's `name`, `max_abs`,
/// `max_rel`, as in `verify --json`) on verified steps, and `val_loss`/`val_accuracy` on the steps followed by a held-out evaluation),
/// each line added to the file in one write as it is made (<see cref="AppendOnlyFile"/>), so a killed run keeps its
/// history and no reader or other writer ever sees part of a line.
/// </summary>
public sealed class MetricsWriter(string path, bool append) : IDisposable
{
    private readonly AppendOnlyFile _file = new(path, truncate: !append);
    private double _seconds;

    public void Write(TrainingStep step, long epoch, EvaluationResult? heldOut)
    {
        _seconds += step.Elapsed.TotalSeconds;
        var record = new Dictionary<string, object?>
        {
            ["step"] = step.Step,
            ["epoch"] = epoch,
            ["loss"] = step.Loss,
            ["accuracy"] = NullIfNaN(step.Accuracy),
            ["divergence"] = step.MaxRelativeDivergence,
            ["divergence_abs"] = step.MaxAbsoluteDivergence,
            ["time"] = Math.Round(_seconds, 6),
        };
        // The relaxation's length, for rules with PC dynamics (il --tol stops each step at its own count).
        if (step.InferenceSteps is { } inference) record["inference_steps"] = inference;
        // Per parameter, so a divergence can be traced to the layer it starts in; the two maxima above are over these.
        if (step.Divergences is { } divergences)
            record["parameters"] = divergences.Select(d => new Dictionary<string, object>
            {
                ["name"] = d.Name, ["max_abs"] = d.MaxAbs,
                ["max_rel"] = d.MaxRel
            }).ToList();
        if (heldOut != null)
        {
            record["val_loss"] = heldOut.Loss;
            record["val_accuracy"] = NullIfNaN(heldOut.Accuracy);
        }
        _file.WriteLine(JsonSerializer.Serialize(record));
    }

    private static double? NullIfNaN(double value) => double.IsNaN(value) ? null : value;

    public void Dispose() => _file.Dispose();
}
