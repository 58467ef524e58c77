using System.CommandLine;
using System.Text.Json;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Models;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Pcn;

namespace ZilOnnx.Cli.Commands;

/// <summary>`zilonnx inspect MODEL [--json]`: the graph as the PCN sees it, and what it cannot map.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "An .onnx or .pcn file" };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var transfer = new TransferOptions();
        var command = new Command("inspect", "Show inputs, outputs, operators, parameters and the Z-IL schedule of a model") { model,
            json };
        foreach (var option in transfer.All) command.Options.Add(option);
        command.SetAction(parse => CommandRunner.Run(() => Inspect(parse.GetValue(model)!, parse.GetValue(json),
            parse.GetValue(transfer.NumClasses), transfer.Selection(parse))));
        return command;
    }

    /// <param name="numClasses">--num-classes: show the model with its new head (initialised from seed 0).</param>
    /// <param name="selection">--freeze, --train, --train-last: show what would train; the parameters listed are those, the vertices
    /// below the deepest of them are computed from the data alone.</param>
    private static int Inspect(string path, bool json, int? numClasses, TrainableSelection selection)
    {
        var notices = new List<string>();
        var source = TransferSetup.ApplySurgery(ModelSource.Load(path), numClasses, reinit: false, seed: 0, resumed: false, notices);
        int opset = PcGraphBuilder.DefaultOpset(source.Model, path);
        var unsupported = OperatorRegistry.Default.FindUnsupported(source.Model.Graph.Node, opset);
        PcGraphDescription? description = null;
        IReadOnlySet<string> frozen = new HashSet<string>();
        string? conversionError = null;
        if (unsupported.Count == 0)
        {
            // A model that cannot be converted is described as far as it goes; asked what would train, it is an error.
            try
            {
                (var graph, frozen) = TransferSetup.BuildGraph(source, new PcGraphOptions(), selection, recorded: null, notices);
                description = PcGraphDescription.Of(graph);
            }
            catch (ModelConversionException e) when (selection.TrainsAll && numClasses == null) { conversionError = e.Message; }
        }

        if (json)
        {
            var report = new
            {
                model = path,
                ir_version = source.Model.IrVersion,
                producer = source.Model.ProducerName,
                opset,
                unused_inputs = ModelInputs.UnusedInputNames(source.Model),
                metadata = MetadataDescription.Json(source.Model, path),
                graph = description,
                frozen = frozen.Order(StringComparer.Ordinal).ToList(),
                unsupported_operators = unsupported,
                conversion_error = conversionError,
                preprocess = PreprocessingMetadata.Read(source.Model, path),
            };
            Console.WriteLine(JsonSerializer.Serialize(report, PcnArchive.Json));
        }
        else
        {
            Console.WriteLine($"{path}: IR {source.Model.IrVersion}, opset {opset}, producer '{source.Model.ProducerName} " +
                $"{source.Model.ProducerVersion}'");
            foreach (string line in MetadataDescription.Lines(source.Model, path)) Console.WriteLine($"metadata: {line}");
            foreach (string line in unsupported) Console.WriteLine($"unsupported: {line}");
            if (ModelInputs.UnusedInputNames(source.Model) is { Count: > 0 } unused)
                Console.WriteLine($"unused inputs: {string.Join(", ", unused)} (read by no node: not part of the PCN; training ignores " +
                    $"them, the export keeps them)");
            if (conversionError != null) Console.WriteLine($"cannot convert: {conversionError}");
            foreach (string notice in notices) Console.WriteLine(notice);
            if (description != null) PrintDescription(description);
        }
        return ExitCodes.Success;
    }

    private static void PrintDescription(PcGraphDescription d)
    {
        Console.WriteLine($"inputs: {string.Join(", ", d.Inputs)}; outputs: {string.Join(", ", d.Outputs)}; trained output: " +
            $"{d.TrainingOutput}");
        Console.WriteLine($"operators: {string.Join(", ", d.Operators)}");
        Console.WriteLine($"parameters: {d.Parameters.Count} tensors, {d.Parameters.Sum(p => p.Count):N0} values");
        foreach (var p in d.Parameters)
            Console.WriteLine($"  {p.Name,-32} [{string.Join(", ", p.Shape)}] " +
                $"{p.ElementType}{(p.Transforms.Count > 0 ? " via " + string.Join(" -> ", p.Transforms) : "")}" +
                              (p.SharedBy.Count > 0 ? $"  shared by {string.Join(", ", p.SharedBy)}" : ""));
        var shared = d.Parameters.Where(p => p.SharedBy.Count > 0).ToList();
        if (shared.Count > 0)
            Console.WriteLine($"shared: {shared.Count} initializer{(shared.Count > 1 ? "s" : "")} ({shared.Sum(p => p.Count):N0} " +
                $"values) read by several nodes, trained as one parameter each; with --untie every reader trains its own copy " +
                              $"({d.Parameters.Sum(p => p.Count) + shared.Sum(p => p.Count * (p.SharedBy.Count - 1)):N0} values in all)");
        Console.WriteLine($"vertices: {d.Vertices.Count} ({d.LevellingVertices.Count} added by levelling), depth {d.Depth}: " +
            $"{d.Depth + 1} inference steps");
        Console.WriteLine("  Z-IL schedule: at inference step t the error of every vertex with d(v) = t " +
            "equals its backprop error, and the");
        Console.WriteLine("  parameters that vertex reads are updated then " +
            "(d = '-': the vertex does not reach the trained output; 'data':");
        Console.WriteLine("  computed from the data alone, clamped like the input; shapes for a batch of one unless the model fixes it)");
        int nameWidth = d.Vertices.Max(v => v.Name.Length), opWidth = d.Vertices.Max(v => v.Op.Length);
        var shapes = d.Vertices.Select(v => "[" + string.Join(", ", v.Shape) + "]").ToList();
        int shapeWidth = shapes.Max(s => s.Length);
        Console.WriteLine($"  {"d".PadRight(4)} {"vertex".PadRight(nameWidth)}  {"op".PadRight(opWidth)}  " +
            $"{"shape".PadRight(shapeWidth)}  inputs");
        for (int i = 0; i < d.Vertices.Count; i++)
        {
            var v = d.Vertices[i];
            string depth = v.Depth < 0 ? "-" : v.FromDataAlone ? "data" : v.Depth.ToString();
            Console.WriteLine($"  {depth.PadRight(4)} {v.Name.PadRight(nameWidth)}  {v.Op.PadRight(opWidth)}  " +
                $"{shapes[i].PadRight(shapeWidth)}  {string.Join(", ", v.Inputs)}");
        }
    }
}
