using System.Text.Json;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Evaluation;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Cli.Models;
using ZilOnnx.Cli.Reporting;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Data.Preprocessing;

namespace ZilOnnx.Cli.Commands;

/// <summary>
/// `zilonnx run MODEL --data IMAGE|FOLDER... [--top K] [--json] [-o OUT.npz]`: every image fed to the model's data input,
/// and for each its most probable classes, named by the model's <c>zilonnx.classes</c> (else numbered).
/// </summary>
public static class RunImages
{
    /// <param name="execute">Runs the engine on the tensor for each graph input, given the input names it takes.</param>
    /// <param name="outputPath">Where the outputs go, with the file of each row (<see cref="RunCommand.FilesArray"/>), or null.</param>
    /// <param name="preprocessing">What each image is prepared with (<see cref="ImageInputs"/>), or null.</param>
    public static int Run(ModelSource source, IReadOnlyList<string> files, ImagePreprocessing? preprocessing, DataBudget budget,
        Func<Func<IReadOnlyList<string>, Dictionary<string, HostTensor>>, string, Dictionary<string, HostTensor>> execute,
        string? outputPath, int top, bool json)
    {
        var inputNames = ModelInputs.DataInputNames(source.Model);
        if (inputNames.Count != 1)
            throw new OnnxModelException(source.Path,
                $"the model has {inputNames.Count} data inputs ({string.Join(", ", inputNames)}); images feed a model with one");
        var images = ImageInputs.Load(files, source.Model, inputNames[0], preprocessing, budget);
        var outputs = execute(_ => new Dictionary<string, HostTensor> { [inputNames[0]] = images }, files[0]);

        if (outputPath != null)
        {
            NpzArchive.Write(outputPath, outputs, texts: [new(RunCommand.FilesArray, files)]);
            // With --json, stdout holds the JSON alone.
            (json ? Console.Error : Console.Out).WriteLine(
                $"wrote {string.Join(", ", outputs.Select(o => $"{o.Key} {o.Value}"))} and {RunCommand.FilesArray} [{files.Count}] to " +
                    $"{outputPath}");
        }

        string first = source.Model.Graph.Output[0].Name;
        var output = outputs[first];
        if (output.Shape is not [_, > 0])
        {
            string problem = $"the first output '{first}' is [{string.Join(", ", output.Shape)}], not [images, classes]: there are no " +
                $"classes to print";
            if (outputPath == null) throw new InferenceInputException($"{source.Path}: {problem}; give -o OUT.npz to write the outputs");
            Console.Error.WriteLine($"note: {problem}");
            return ExitCodes.Success;
        }

        int classes = checked((int)output.Shape[1]);
        var names = ClassNames.FromModel(source.Model, source.Path, classes);
        var predictions = ImagePredictions.Of(files, output, source.Model, first, names, Math.Min(top, classes));
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(predictions, NonFiniteJson.Options));
        else
            foreach (var prediction in predictions)
                Console.WriteLine($"{prediction.File}: {string.Join(", ", prediction.Top.Select(c => $"{c.Class} {c.Probability:F4}"))}");
        return ExitCodes.Success;
    }
}
