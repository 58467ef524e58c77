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
/// `zilonnx run MODEL --data IN.npz -o OUT.npz [--engine pcn|ort]`: feeds the arrays of IN.npz to the graph inputs of the
/// same names (`x` also names the single data input) and writes every graph output. `--data` may instead name image
/// files and folders of them: each image, prepared with the preprocessing options or else the model's stored
/// <c>zilonnx.preprocess</c>, is fed to the model's data input and `run` prints its most probable classes.
/// </summary>
public static class RunCommand
{
    /// <summary>The array of an image run's -o that names the file of each row of the outputs.</summary>
    public const string FilesArray = "files";

    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "An .onnx or .pcn model" };
        var data = new Option<string[]>("--data")
        {
            Description = "An .npz whose arrays are named like the graph inputs, or image files (PNG, JPEG, BMP, GIF, WebP) and folders " +
                "of them",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--output", "-o") { Description = "The .npz to write the graph outputs to (optional for images)" };
        var engine = new Option<string>("--engine")
        {
            Description = "pcn (the PCN forward pass, TorchSharp) or ort (ONNX Runtime)",
            DefaultValueFactory = _ => "pcn"
        };
        engine.AcceptOnlyFromAmong("pcn", "ort");
        var precision = new Option<string>("--precision")
        {
            Description = "float32 or float64 (pcn engine)",
            DefaultValueFactory = _ => "float32"
        };
        var device = new Option<string>("--device")
        {
            Description = "auto, cpu, cuda or cuda:N (pcn engine)",
            DefaultValueFactory = _ => "auto"
        };
        var top = new Option<int?>("--top") { Description = "Images: print the K most probable classes of each [1]" }
            .Within(NumberRange.Count);
        var json = new Option<bool>("--json") { Description = "Images: print a JSON list of {file, top: [{class, index, probability}]}" };
        var maxDataGb = DataBudgetOption.Create();
        var preprocessing = new PreprocessingOptions(training: false);
        var command = new Command("run", "Run a model on the arrays of an .npz file, or on images") { model, data, output, engine,
            precision, device, top, json, maxDataGb };
        preprocessing.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string[] dataPaths = parse.GetValue(data)!;
            string? outputPath = parse.GetValue(output);
            bool images = ImageFileList.NamesImages(dataPaths);
            if (!images)
            {
                if (dataPaths.Length != 1) throw new ArgumentException($"--data takes one .npz, or image files and folders of images; " +
                    $"got {string.Join(" ", dataPaths)}");
                if (outputPath == null) throw new ArgumentException("-o OUT.npz is required with an .npz as --data (it is optional for " +
                    "images)");
                if (parse.GetValue(top) != null
                    || parse.GetValue(json)) throw new ArgumentException("--top and --json apply to images; with an .npz as --data, run " +
                    "writes the outputs to -o");
            }
            var budget = DataBudgetOption.Resolve(parse, maxDataGb);
            var plan = new OutputPlan().ReadsModel(parse.GetValue(model)!);
            foreach (string path in dataPaths) plan.ReadsData("--data", path);
            if (outputPath != null) plan.Writes("-o", outputPath);
            using var _ = plan.Prepare();
            var source = ModelSource.Load(parse.GetValue(model)!);
            Dictionary<string, HostTensor> Execute(Func<IReadOnlyList<string>, Dictionary<string, HostTensor>> feeds, string file) =>
                parse.GetValue(engine) == "ort"
                    ? RunOnnxRuntime(source, feeds)
                    : RunPcn(source, feeds, file, PrecisionExtensions.Parse(parse.GetValue(precision)!),
                        DeviceSelection.Resolve(parse.GetValue(device)!));
            if (images)
            {
                var imagePreprocessing = PreprocessingMetadata.Effective(PreprocessingMetadata.Read(source.Model, source.Path),
                    preprocessing.Resolve(parse),
                    imageData: true, source.Path, Console.Error);
                return RunImages.Run(source, ImageFileList.Find(dataPaths), imagePreprocessing, budget, Execute, outputPath,
                    parse.GetValue(top) ?? 1, parse.GetValue(json));
            }

            string dataPath = dataPaths[0];
            var arrays = NpzArchive.Read(dataPath, budget);
            if (preprocessing.Resolve(parse) is { } spec) ArrayPreprocessing.Apply(spec, arrays, source.Model, dataPath);
            // An input no node reads is fed the array of its name when IN.npz has one, and otherwise left out.
            var unfed = ModelInputs.UnusedInputNames(source.Model).Where(name => !arrays.ContainsKey(name)).ToHashSet();
            var outputs = Execute(inputNames => Feeds([.. inputNames.Except(unfed)], arrays, dataPath), dataPath);
            NpzArchive.Write(outputPath!, outputs);
            Console.WriteLine($"wrote {string.Join(", ", outputs.Select(o => $"{o.Key} {o.Value}"))} to {outputPath}");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The array for each graph input (`x` also names a single one), each finite.</summary>
    private static Dictionary<string, HostTensor> Feeds(IReadOnlyList<string> inputNames, IReadOnlyDictionary<string, HostTensor> arrays,
        string file)
    {
        var names = inputNames;
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

    /// <param name="feeds">The tensor for each graph input, given the inputs the engine takes; an input no node reads that
    /// it gives nothing for is left out.</param>
    private static Dictionary<string, HostTensor> RunOnnxRuntime(ModelSource source, Func<IReadOnlyList<string>, Dictionary<string,
        HostTensor>> feeds)
    {
        using var session = OnnxRuntimeSession.Open(Google.Protobuf.MessageExtensions.ToByteArray(source.Model),
            ExecutionProviderChoice.Cpu);
        if (UnusedInputs.Note(source.Path, source.Model) is { } note) Console.Error.WriteLine($"note: {note}");
        var fed = feeds([.. session.Inputs.Select(i => i.Name)]);
        return session.Run(fed, [.. session.Inputs.Select(i => i.Name).Where(name => !fed.ContainsKey(name))]).ToDictionary();
    }

    private static Dictionary<string, HostTensor> RunPcn(ModelSource source, Func<IReadOnlyList<string>, Dictionary<string,
        HostTensor>> inputs, string file,
        Precision precision, Device device)
    {
        var feeds = inputs(ModelInputs.DataInputNames(source.Model));
        // The PCN is built for the arrays' shapes, and a tensor with no elements builds none (ONNX Runtime runs one).
        if (feeds.FirstOrDefault(f => f.Value.Count == 0) is { Key: not null } empty)
            throw new DataFormatException(file, empty.Key,
                $"the array is empty (shape [{string.Join(", ", empty.Value.Shape)}]): the pcn engine needs at least one sample " +
                    $"(--engine ort runs empty arrays)");
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
        var type = precision == Precision.Float64 ? Converter.Onnx.Proto.TensorProto.Types.DataType.Double
            : Converter.Onnx.Proto.TensorProto.Types.DataType.Float;
        return new HostTensor(type, cpu.shape, cpu.data<double>().ToArray());
    }
}
