using System.CommandLine;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Cli.Models;
using ZilOnnx.Cli.Outputs;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Cli.Commands;

/// <summary>
/// `zilonnx run MODEL --data IN.npz -o OUT.npz [--engine pcn|ort]`: feeds the arrays of IN.npz to the graph
/// inputs of the same names (`x` also names the single data input) and writes every graph output.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "An .onnx or .pcn model" };
        var data = new Option<string>("--data") { Description = "An .npz whose arrays are named like the graph inputs", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The .npz to write the graph outputs to", Required = true };
        var engine = new Option<string>("--engine") { Description = "pcn (the PCN forward pass, TorchSharp) or ort (ONNX Runtime)", DefaultValueFactory = _ => "pcn" };
        engine.AcceptOnlyFromAmong("pcn", "ort");
        var precision = new Option<string>("--precision") { Description = "float32 or float64 (pcn engine)", DefaultValueFactory = _ => "float32" };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N (pcn engine)", DefaultValueFactory = _ => "auto" };
        var maxDataGb = DataBudgetOption.Create();
        var preprocessing = new PreprocessingOptions(training: false);
        var command = new Command("run", "Run a model on the arrays of an .npz file") { model, data, output, engine, precision, device, maxDataGb };
        preprocessing.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var budget = DataBudgetOption.Resolve(parse, maxDataGb);
            using var plan = new OutputPlan().ReadsModel(parse.GetValue(model)!).ReadsData("--data", parse.GetValue(data)!)
                .Writes("-o", parse.GetValue(output)!).Prepare();
            var source = ModelSource.Load(parse.GetValue(model)!);
            string dataPath = parse.GetValue(data)!;
            var arrays = NpzArchive.Read(dataPath, budget);
            if (preprocessing.Resolve(parse) is { } spec) ArrayPreprocessing.Apply(spec, arrays, source.Model, dataPath);
            var outputs = parse.GetValue(engine) == "ort"
                ? RunOnnxRuntime(source, arrays, dataPath)
                : RunPcn(source, arrays, dataPath, PrecisionExtensions.Parse(parse.GetValue(precision)!), DeviceSelection.Resolve(parse.GetValue(device)!));
            NpzArchive.Write(parse.GetValue(output)!, outputs);
            Console.WriteLine($"wrote {string.Join(", ", outputs.Select(o => $"{o.Key} {o.Value}"))} to {parse.GetValue(output)}");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The array for each graph input (`x` also names a single one), each finite.</summary>
    private static Dictionary<string, HostTensor> Feeds(IEnumerable<string> inputNames, IReadOnlyDictionary<string, HostTensor> arrays, string file)
    {
        var names = inputNames.ToList();
        var feeds = new Dictionary<string, HostTensor>();
        foreach (string name in names)
        {
            string array = arrays.ContainsKey(name) || names.Count > 1 ? name : "x";
            if (!arrays.TryGetValue(array, out var value))
                throw new DataFormatException(file, null, $"no array for graph input '{name}' (arrays: {string.Join(", ", arrays.Keys)})");
            DataValidation.CheckFinite(file, array, value);
            feeds[name] = value;
        }
        return feeds;
    }

    private static Dictionary<string, HostTensor> RunOnnxRuntime(ModelSource source, IReadOnlyDictionary<string, HostTensor> arrays, string file)
    {
        using var session = OnnxRuntimeSession.Open(Google.Protobuf.MessageExtensions.ToByteArray(source.Model), ExecutionProviderChoice.Cpu);
        if (UnusedInputs.Note(source.Path, source.Model) is { } note) Console.Error.WriteLine($"note: {note}");
        // An input no node reads is fed the array of its name when IN.npz has one, and otherwise left out.
        var unfed = ModelInputs.UnusedInputNames(source.Model).Where(name => !arrays.ContainsKey(name)).ToList();
        return session.Run(Feeds(session.Inputs.Select(i => i.Name).Except(unfed), arrays, file), unfed).ToDictionary();
    }

    private static Dictionary<string, HostTensor> RunPcn(ModelSource source, IReadOnlyDictionary<string, HostTensor> arrays, string file, Precision precision, Device device)
    {
        var feeds = Feeds(ModelInputs.DataInputNames(source.Model), arrays, file);
        // The PCN is built for the arrays' shapes, and a tensor with no elements builds none (ONNX Runtime runs one).
        if (feeds.FirstOrDefault(f => f.Value.Count == 0) is { Key: not null } empty)
            throw new DataFormatException(file, arrays.ContainsKey(empty.Key) ? empty.Key : "x",
                $"the array is empty (shape [{string.Join(", ", empty.Value.Shape)}]): the pcn engine needs at least one sample (--engine ort runs empty arrays)");
        var graph = source.BuildGraph(new PcGraphOptions { InputShapes = feeds.ToDictionary(f => f.Key, f => f.Value.Shape) });
        using var pcn = new PcnModel(graph, precision, device);
        var values = pcn.Forward(feeds.ToDictionary(f => f.Key, f => pcn.ToTensor(f.Value)));
        return graph.GraphOutputs.ToDictionary(o => o.Key, o => o.Value switch
        {
            Operand.FromVertex v => ToHost(values[v.Source], precision),
            Operand.FromConstant c => c.Value,
            _ => throw new ModelConversionException(source.Path, [$"graph output '{o.Key}' is not computed by the PCN"]),
        });
    }

    private static HostTensor ToHost(Tensor value, Precision precision)
    {
        using var cpu = value.detach().to(ScalarType.Float64, CPU).contiguous();
        var type = precision == Precision.Float64 ? Converter.Onnx.Proto.TensorProto.Types.DataType.Double : Converter.Onnx.Proto.TensorProto.Types.DataType.Float;
        return new HostTensor(type, cpu.shape, cpu.data<double>().ToArray());
    }
}
