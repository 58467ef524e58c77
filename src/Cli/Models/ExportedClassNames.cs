using ZilOnnx.Cli.Evaluation;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Cli.Models;

/// <summary>
/// Puts the names of the classes the training data's labels were numbered by (an image folder's class folders) into the
/// model that fine-tuning exports and checkpoints (<c>zilonnx.classes</c>), so that `eval` and `run` name its
/// predictions later without the data. A checkpoint's model entry carries them, so a resumed run exports them too.
/// </summary>
public static class ExportedClassNames
{
    /// <summary>
    /// Sets the names in the graph's model; data without names leave the model's own entry (if any) as it is. The
    /// data's labels were checked against the output's classes before (<see cref="DataValidation"/>), so the data name
    /// at most that many; the further classes of a model that predicts more are kept as numbers.
    /// </summary>
    /// <returns>A note for the user when the data name fewer classes than the model predicts, else nothing.</returns>
    public static IEnumerable<string> Stamp(PcGraph graph, DataSet data)
    {
        if (data.ClassNames is not { } names || graph.TrainingOutput.Shape is not [_, .., var classes]) return [];
        ModelMetadata.SetClasses(graph.Model, ClassNames.WithNumbers(names, classes));
        if (names.Count >= classes) return [];
        return [$"the data name {names.Count} classes but the model's output has {classes}: the exported model's " +
            $"{ModelMetadata.ClassesKey} " +
                $"names classes 0..{names.Count - 1} after the data and keeps the numbers {names.Count}..{classes - 1} for the others"];
    }
}
