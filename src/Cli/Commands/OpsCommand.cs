using System.CommandLine;
using System.Text.Json;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Pcn;

namespace ZilOnnx.Cli.Commands;

/// <summary>`zilonnx ops [--json]`: the operator registry: every operator, its versions and how it maps.</summary>
public static class OpsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("ops", "List the supported ONNX operators, their versions and how each maps onto the PCN") { json };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var rows = OperatorRegistry.Default.All.Select(m => new
            {
                domain = m.Domain == "" ? "ai.onnx" : m.Domain,
                op_type = m.OpType,
                since_versions = m.SinceVersions,
                forms = Forms(m),
            }).ToList();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    min_opset = OperatorRegistry.MinOpset,
                    max_opset = OperatorRegistry.MaxOpset,
                    operators = rows,
                }, PcnArchive.Json));
                return ExitCodes.Success;
            }
            Console.WriteLine($"{rows.Count} operators of the default domain, models of opsets " +
                $"{OperatorRegistry.MinOpset}..{OperatorRegistry.MaxOpset}");
            Console.WriteLine($"  {"operator",-22} {"since versions",-26} forms");
            foreach (var r in rows)
                Console.WriteLine($"  {r.op_type,-22} {string.Join(", ", r.since_versions),-26} {string.Join(", ", r.forms)}");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>How a node of this operator can appear in a PCN.</summary>
    public static IReadOnlyList<string> Forms(IOperatorMapping mapping)
    {
        var forms = new List<string>();
        if (mapping is IGraphExpansion expansion) forms.Add(expansion.Form);
        if (mapping is IShapeEvaluation) forms.Add("folded from shapes");
        if (mapping is IStaticEvaluation) forms.Add("folded when constant");
        if (mapping is IParameterTransform) forms.Add("parameter transform");
        if (mapping.MapsData && mapping is not (IGraphExpansion or IShapeEvaluation)) forms.Add("vertex");
        return forms;
    }
}
