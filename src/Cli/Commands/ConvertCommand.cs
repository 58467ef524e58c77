using System.CommandLine;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Models;
using ZilOnnx.Cli.Outputs;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Pcn;

namespace ZilOnnx.Cli.Commands;

/// <summary>`zilonnx convert IN.onnx OUT.pcn | IN.pcn OUT.onnx`.</summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("IN") { Description = "An .onnx model (to convert to a PCN) or a .pcn file (to export as ONNX)" };
        var output = new Argument<string>("OUT") { Description = "The .pcn or .onnx file to write" };
        var command = new Command("convert", "Convert an ONNX model to a PCN file, or a PCN file back to ONNX") { input, output };
        command.SetAction(parse => CommandRunner.Run(() => Convert(parse.GetValue(input)!, parse.GetValue(output)!)));
        return command;
    }

    private static int Convert(string input, string output)
    {
        bool toPcn = ModelSource.IsPcn(output);
        if (toPcn == ModelSource.IsPcn(input))
            throw new ArgumentException("convert goes from .onnx to .pcn or from .pcn to .onnx");
        using var outputs = new OutputPlan().ReadsModel(input).Writes("OUT", output).Prepare();
        var source = ModelSource.Load(input);
        // Building the graph proves the model maps onto a PCN, in both directions.
        var graph = source.BuildGraph(new PcGraphOptions());
        if (toPcn) PcnArchive.Write(output, source.Model, graph);
        else OnnxModelFile.Save(source.Model, output);
        Console.WriteLine($"{input} -> {output}: {graph.Vertices.Count} vertices, {graph.Parameters.Count} parameters, depth " +
            $"{graph.MaxDepth}");
        return ExitCodes.Success;
    }
}
