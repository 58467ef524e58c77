using System.CommandLine;
using System.Text.Json;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Models;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Trainer.Data.Preprocessing;

namespace ZilOnnx.Cli.Commands;

/// <summary>`zilonnx inspect MODEL [--json]`: the graph as the PCN sees it, and what it cannot map.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "An .onnx or .pcn file" };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("inspect", "Show inputs, outputs, operators, parameters and the Z-IL schedule of a model") { model, json };
        command.SetAction(parse => CommandRunner.Run(() => Inspect(parse.GetValue(model)!, parse.GetValue(json))));
        return command;
    }

    private static int Inspect(string path, bool json)
    {
        var source = ModelSource.Load(path);
        int opset = PcGraphBuilder.DefaultOpset(source.Model, path);
        var unsupported = OperatorRegistry.Default.FindUnsupported(source.Model.Graph.Node, opset);
        PcGraphDescription? description = null;
        string? conversionError = null;
        if (unsupported.Count == 0)
        {
            try { description = PcGraphDescription.Of(source.BuildGraph(new PcGraphOptions())); }
            catch (ModelConversionException e) { conversionError = e.Message; }
        }

        if (json)
        {
            var report = new
            {
                model = path,
                ir_version = source.Model.IrVersion,
                producer = source.Model.ProducerName,
                opset,
                graph = description,
                unsupported_operators = unsupported,
                conversion_error = conversionError,
                preprocess = StoredPreprocessing(source, path),
            };
            Console.WriteLine(JsonSerializer.Serialize(report, PcnArchive.Json));
        }
        else
        {
            Console.WriteLine($"{path}: IR {source.Model.IrVersion}, opset {opset}, producer '{source.Model.ProducerName} {source.Model.ProducerVersion}'");
            foreach (string line in unsupported) Console.WriteLine($"unsupported: {line}");
            if (conversionError != null) Console.WriteLine($"cannot convert: {conversionError}");
            if (description != null) PrintDescription(description);
            if (StoredPreprocessing(source, path) is { } preprocess) Console.WriteLine($"preprocessing ({ImagePreprocessing.MetadataKey}): {preprocess.ToJson()}");
        }
        return ExitCodes.Success;
    }

    /// <summary>The preprocessing the model stores (<see cref="PreprocessingMetadata"/>), or null.</summary>
    private static ImagePreprocessing? StoredPreprocessing(ModelSource source, string path) => PreprocessingMetadata.Read(source.Model, path);

    private static void PrintDescription(PcGraphDescription d)
    {
        Console.WriteLine($"inputs: {string.Join(", ", d.Inputs)}; outputs: {string.Join(", ", d.Outputs)}; trained output: {d.TrainingOutput}");
        Console.WriteLine($"operators: {string.Join(", ", d.Operators)}");
        Console.WriteLine($"parameters: {d.Parameters.Count} tensors, {d.Parameters.Sum(p => p.Count):N0} values");
        foreach (var p in d.Parameters)
            Console.WriteLine($"  {p.Name,-32} [{string.Join(", ", p.Shape)}] {p.ElementType}{(p.Transforms.Count > 0 ? " via " + string.Join(" -> ", p.Transforms) : "")}");
        Console.WriteLine($"vertices: {d.Vertices.Count} ({d.LevellingVertices.Count} added by levelling), depth {d.Depth}: {d.Depth + 1} inference steps");
        Console.WriteLine("  Z-IL schedule: at inference step t the error of every vertex with d(v) = t equals its backprop error, and the");
        Console.WriteLine("  parameters that vertex reads are updated then (d = '-': the vertex does not reach the trained output; 'data':");
        Console.WriteLine("  computed from the data alone, clamped like the input; shapes for a batch of one unless the model fixes it)");
        int nameWidth = d.Vertices.Max(v => v.Name.Length), opWidth = d.Vertices.Max(v => v.Op.Length);
        var shapes = d.Vertices.Select(v => "[" + string.Join(", ", v.Shape) + "]").ToList();
        int shapeWidth = shapes.Max(s => s.Length);
        Console.WriteLine($"  {"d".PadRight(4)} {"vertex".PadRight(nameWidth)}  {"op".PadRight(opWidth)}  {"shape".PadRight(shapeWidth)}  inputs");
        for (int i = 0; i < d.Vertices.Count; i++)
        {
            var v = d.Vertices[i];
            string depth = v.Depth < 0 ? "-" : v.FromDataAlone ? "data" : v.Depth.ToString();
            Console.WriteLine($"  {depth.PadRight(4)} {v.Name.PadRight(nameWidth)}  {v.Op.PadRight(opWidth)}  {shapes[i].PadRight(shapeWidth)}  {string.Join(", ", v.Inputs)}");
        }
    }
}
