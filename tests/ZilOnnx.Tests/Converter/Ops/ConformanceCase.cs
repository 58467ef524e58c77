using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>One test_data_set_* folder: the graph inputs it feeds (by name) and the graph outputs it expects (in graph order).</summary>
internal sealed record ConformanceDataSet(string Name, IReadOnlyDictionary<string, HostTensor> Inputs, IReadOnlyList<HostTensor> Outputs);

/// <summary>
/// One case folder of the ONNX backend test data: model.onnx, parsed without validation (so that the selection
/// does not depend on the code under test), and its data sets decoded.
/// </summary>
internal sealed class ConformanceCase
{
    private ConformanceCase(string suite, string folder, ModelProto model)
    {
        Suite = suite;
        Folder = folder;
        Model = model;
    }

    public string Suite { get; }
    public string Folder { get; }
    public string Name => Path.GetFileName(Folder);
    public string ModelPath => Path.Combine(Folder, "model.onnx");
    public ModelProto Model { get; }

    public int DefaultOpset =>
        (int)(Model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0);

    public bool UsesOnlyTheDefaultDomain =>
        Model.OpsetImport.All(o => o.Domain is "" or "ai.onnx") && Model.Graph.Node.All(n => n.Domain is "" or "ai.onnx");

    public IReadOnlyList<string> OpTypes => Model.Graph.Node.Select(n => n.OpType).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>Graph inputs the data sets feed: those that are not initializers, in graph order.</summary>
    public IReadOnlyList<ValueInfoProto> FedInputs
    {
        get
        {
            var initializers = Model.Graph.Initializer.Select(t => t.Name).ToHashSet();
            return Model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        }
    }

    public static ConformanceCase Open(string suite, string folder) =>
        new(suite, folder, ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, "model.onnx"))));

    /// <summary>Every data set, in folder order. input_i.pb feeds the i-th fed graph input, output_i.pb is the i-th graph output.</summary>
    public IReadOnlyList<ConformanceDataSet> DataSets()
    {
        var fed = FedInputs;
        var sets = new List<ConformanceDataSet>();
        foreach (string set in Directory.EnumerateDirectories(Folder, "test_data_set_*").Order(StringComparer.Ordinal))
        {
            var inputs = new Dictionary<string, HostTensor>();
            for (int i = 0; i < fed.Count; i++)
                inputs[fed[i].Name] = Read(Path.Combine(set, $"input_{i}.pb"));
            var outputs = Enumerable.Range(0, Model.Graph.Output.Count).Select(i => Read(Path.Combine(set, $"output_{i}.pb"))).ToList();
            sets.Add(new ConformanceDataSet(Path.GetFileName(set), inputs, outputs));
        }
        return sets;
    }

    private static HostTensor Read(string file) => TensorCodec.Decode(TensorProto.Parser.ParseFrom(File.ReadAllBytes(file)), file);

    public static bool IsFloatTensor(ValueInfoProto value) =>
        value.Type?.ValueCase == TypeProto.ValueOneofCase.TensorType
        && value.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.Float;

    /// <summary>A floating-point tensor: the PCN computes in float64, which holds float16, bfloat16, float and double
    /// values exactly, so all of them can be compared.</summary>
    public static bool IsFloatingTensor(ValueInfoProto value) =>
        value.Type?.ValueCase == TypeProto.ValueOneofCase.TensorType
        && value.Type.TensorType.ElemType is (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Double
            or (int)TensorProto.Types.DataType.Float16 or (int)TensorProto.Types.DataType.Bfloat16;

    public static bool IsStringTensor(ValueInfoProto value) =>
        value.Type?.ValueCase == TypeProto.ValueOneofCase.TensorType
        && value.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.String;
}
