using System.IO.Compression;
using System.Text.Json;
using Google.Protobuf;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Tests.Converter.Onnx;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Robustness;

/// <summary>What the command line must do with a hostile file.</summary>
public enum HostileKind
{
    /// <summary>Broken, hostile or unreadable: `inspect`, `convert` and `finetune` all end with exit code 2.</summary>
    Broken,
    /// <summary>
    /// Well-formed ONNX that cannot be converted (an operator or a size the converter does not support): `inspect`
    /// reports it (exit code 0, by design, naming the problem), `convert` and `finetune` end with exit code 2.
    /// </summary>
    Unsupported,
    /// <summary>
    /// A .pcn checkpoint whose model is sound but whose saved run state or tensors are not: `inspect` and `convert`, which
    /// read only the model, succeed (exit code 0); `finetune`, which resumes the checkpoint, ends with exit code 2.
    /// </summary>
    BadCheckpoint,
}

/// <summary>
/// One hostile input: an id (its folder and file name), the heading it is listed under, what the file holds, what the
/// command line must do, a fragment the message must contain (so the case fails for the reason it is about), and how
/// to build it in an empty folder. <see cref="HeaderLie"/> marks files whose headers claim far more data than they
/// hold, which must be refused without allocating what the header claims.
/// </summary>
public sealed record HostileCase(string Id, string Section, string Input, HostileKind Kind, string Expect, Func<string, string> Build,
    bool HeaderLie = false)
{
    public override string ToString() => Id;
}

/// <summary>
/// The catalogue of hostile model files: every kind of input the issue lists, each built at test time into a
/// folder of its own from a small valid CNN (<see cref="Template"/>), so that nothing binary is committed and each
/// case differs from a working model in exactly the way it is about.
/// </summary>
public static class HostileModels
{
    /// <summary>The data `finetune` is given: it loads, so what fails is the model (the template's input is [N, 1, 28, 28]).</summary>
    public const string DataFixture = "lenet5.ce.npz";

    public const string NotAModel = "Not a model";
    public const string WireFormat = "Wrong field types (protobuf wire types)";
    public const string Graph = "Broken graphs";
    public const string Tensors = "Tensors that lie or cannot be read as numbers";
    public const string External = "External data";
    public const string Operators = "Operators, domains and opsets";
    public const string Nesting = "Nested sub-graphs";
    public const string Pcn = "PCN files and checkpoints";
    public const string Special = "Pipes and devices";

    public static readonly string[] Sections = [NotAModel, WireFormat, Graph, Tensors, External, Operators, Nesting, Pcn, Special];

    /// <summary>The depth of the If chain that goes past the protobuf nesting limit.</summary>
    public const int DeepNesting = 50;

    /// <summary>A nesting depth that parses (below the protobuf limit) and is refused as unsupported.</summary>
    public const int ShallowNesting = 20;

    public static IReadOnlyList<HostileCase> All { get; } =
    [
        new("truncated", NotAModel, "the template model cut off at half its length", HostileKind.Broken,
            "do not parse", folder => Write(folder, "truncated", Bytes(Template())[..(Bytes(Template()).Length / 2)])),
        new("truncated-in-a-length", NotAModel, "the template cut inside the first length-delimited field's length prefix", HostileKind.Broken,
            "do not parse", folder => Write(folder, "truncated-in-a-length", CutInsideFirstLength(Bytes(Template())))),
        new("random-bytes", NotAModel, "4,096 random bytes (seeded)", HostileKind.Broken,
            "not an ONNX model", folder => Write(folder, "random-bytes", RandomBytes(4096, seed: 7))),
        new("tensor-not-model", NotAModel, "a valid protobuf TensorProto (a named weight), not a ModelProto", HostileKind.Broken,
            "not an ONNX model", folder => Write(folder, "tensor-not-model", ModelBuilder.FloatTensor("weights", [3], 1, 2, 3).ToByteArray())),
        new("protobuf-without-graph", NotAModel, "an unnamed TensorProto, whose fields all read as ModelProto fields or unknown ones: it parses, but holds no graph", HostileKind.Broken,
            "holds no graph", folder => Write(folder, "protobuf-without-graph", ModelBuilder.FloatTensor("", [3], 1, 2, 3).ToByteArray())),
        new("empty-file", NotAModel, "an empty file", HostileKind.Broken,
            "the file is empty", folder => Write(folder, "empty-file", [])),

        new("graph-as-varint", WireFormat, "the model with its `graph` field (7) written as a varint instead of a length-delimited message", HostileKind.Broken,
            "holds no graph", folder => Write(folder, "graph-as-varint", ReplaceTopLevelField(Bytes(Template()), 7, [.. WireTag(7, 0), .. Robustness.WireFormat.Varint(1)]))),
        new("ir-version-as-string", WireFormat, "the model with `ir_version` (field 1) written as a length-delimited string \"8\"", HostileKind.Broken,
            "IR version 0", folder => Write(folder, "ir-version-as-string", ReplaceTopLevelField(Bytes(Template()), 1, [.. WireTag(1, 2), 1, (byte)'8']))),
        new("undefined-wire-type", WireFormat, "the model followed by a field with wire type 7, which protobuf does not define", HostileKind.Broken,
            "do not parse", folder => Write(folder, "undefined-wire-type", [.. Bytes(Template()), .. WireTag(15, 7), 0])),
        new("graph-as-fixed64", WireFormat, "the model's `graph` message replaced by a field of the same number with wire type 1 (fixed64)", HostileKind.Broken,
            "holds no graph", folder => Write(folder, "graph-as-fixed64", ReplaceTopLevelField(Bytes(Template()), 7, [.. WireTag(7, 1), 1, 2, 3, 4, 5, 6, 7, 8]))),

        new("cycle", Graph, "two nodes that read each other's output (Add -> Relu -> Add)", HostileKind.Broken,
            "has a cycle", folder => Write(folder, "cycle", CycleModel())),
        new("undefined-input", Graph, "a node that reads a name no input, initializer or node defines", HostileKind.Broken,
            "which no input, initializer or earlier node defines", folder => Write(folder, "undefined-input", Template(m =>
                m.Graph.Node.Single(n => n.Name == "relu").Input[0] = "nobody_writes_this"))),
        new("name-defined-twice", Graph, "two nodes that write the same tensor name", HostileKind.Broken,
            "every tensor name must be defined once", folder => Write(folder, "name-defined-twice", Template(m =>
                m.Graph.Node.Insert(2, ModelBuilder.NewNode("Relu", ["conv_out"], ["relu_out"], "relu_again"))))),
        new("initializer-twice", Graph, "two initializers with the same name", HostileKind.Broken,
            "is defined twice", folder => Write(folder, "initializer-twice", Template(m =>
                m.Graph.Initializer.Add(ModelBuilder.FloatTensor("conv.bias", [2], 9, 9))))),

        new("dims-disagree", Tensors, "the Conv weight declares dims [2, 1, 5, 5] (50 floats) but its raw_data holds 24", HostileKind.Broken,
            "but raw_data holds 96 bytes", folder => Write(folder, "dims-disagree", Template(m =>
                ReplaceInitializer(m, ModelBuilder.FloatTensor("conv.weight", [2, 1, 5, 5], Floats(24)))))),
        new("dims-lie-typed", Tensors, "the Conv weight declares dims [10000, 10000] (10^8 floats) and holds 50 in float_data", HostileKind.Broken,
            "holds 50 values in float_data", folder => Write(folder, "dims-lie-typed", Template(m =>
                ReplaceInitializer(m, TypedFloats("conv.weight", [10_000, 10_000], Floats(50))))), HeaderLie: true),
        new("dims-1e12-no-data", Tensors, "the Conv weight declares dims [1000000, 1000000] (10^12 elements) and carries no data at all", HostileKind.Broken,
            "more than one tensor can hold", folder => Write(folder, "dims-1e12-no-data", Template(m =>
                ReplaceInitializer(m, ModelBuilder.RawTensor("conv.weight", DataType.Float, [1_000_000, 1_000_000], [])))), HeaderLie: true),
        new("negative-dim", Tensors, "the Conv weight declares dims [2, -1, 5, 5]", HostileKind.Broken,
            "negative dimension -1", folder => Write(folder, "negative-dim", Template(m =>
                ReplaceInitializer(m, ModelBuilder.FloatTensor("conv.weight", [2, -1, 5, 5], Floats(50)))))),
        new("overflowing-dims", Tensors, "the Conv weight declares dims [2^32, 2^32, 2^32, 1], whose product overflows 64 bits", HostileKind.Broken,
            "overflows a 64-bit integer", folder => Write(folder, "overflowing-dims", Template(m =>
                ReplaceInitializer(m, ModelBuilder.FloatTensor("conv.weight", [1L << 32, 1L << 32, 1L << 32, 1], Floats(50))))), HeaderLie: true),
        new("string-weight", Tensors, "the Conv weight is a STRING tensor (50 strings)", HostileKind.Broken,
            "element type STRING", folder => Write(folder, "string-weight", Template(m =>
            {
                var t = new TensorProto { Name = "conv.weight", DataType = (int)DataType.String };
                t.Dims.AddRange([2, 1, 5, 5]);
                for (int i = 0; i < 50; i++) t.StringData.Add(ByteString.CopyFromUtf8($"w{i}"));
                ReplaceInitializer(m, t);
            }))),
        new("complex64-weight", Tensors, "the Conv weight is a COMPLEX64 tensor (50 complex numbers in float_data)", HostileKind.Broken,
            "element type COMPLEX64", folder => Write(folder, "complex64-weight", Template(m =>
            {
                var t = TypedFloats("conv.weight", [2, 1, 5, 5], Floats(100));
                t.DataType = (int)DataType.Complex64;
                ReplaceInitializer(m, t);
            }))),
        new("constant-of-shape-1e12", Tensors, "a ConstantOfShape asked, by a 4-element shape initializer, for a constant of [1000000, 1000000, 1, 1] (10^12 elements) to add to the data", HostileKind.Unsupported,
            "would hold 1000000000000 elements", folder => Write(folder, "constant-of-shape-1e12", Template(m =>
            {
                var shape = ModelBuilder.RawTensor("big_shape", DataType.Int64, [4], Int64Bytes(1_000_000, 1_000_000, 1, 1));
                m.Graph.Initializer.Add(shape);
                int relu = m.Graph.Node.IndexOf(m.Graph.Node.Single(n => n.Name == "relu"));
                m.Graph.Node.Insert(relu + 1, ModelBuilder.NewNode("ConstantOfShape", ["big_shape"], ["big"], "huge_constant"));
                m.Graph.Node.Insert(relu + 2, ModelBuilder.NewNode("Add", ["relu_out", "big"], ["relu_plus"], "add_huge"));
                m.Graph.Node.Single(n => n.Name == "pool").Input[0] = "relu_plus";
            })), HeaderLie: true),

        new("external-absolute", External, "the Conv weight's external data `location` is an absolute path to an existing file outside the model's folder", HostileKind.Broken,
            "is an absolute path", folder => ExternalWeight(folder, "external-absolute", [("location", OutsideFile(folder))])),
        new("external-dotdot", External, "`location` is `../<outside>/secret.bin`, which exists", HostileKind.Broken,
            "contains '..'", folder => ExternalWeight(folder, "external-dotdot",
                [("location", $"../{Path.GetFileName(Path.GetDirectoryName(OutsideFile(folder)))}/secret.bin")])),
        new("external-symlink", External, "`location` is `weights.bin`, a symbolic link in the model's folder to a file outside it", HostileKind.Broken,
            "through a symbolic link", folder =>
            {
                File.CreateSymbolicLink(Path.Combine(folder, "weights.bin"), OutsideFile(folder));
                return ExternalWeight(folder, "external-symlink", [("location", "weights.bin")]);
            }),
        new("external-folder-symlink", External, "`location` is `data/weights.bin`, where `data` is a symbolic link to a folder outside", HostileKind.Broken,
            "through a symbolic link", folder =>
            {
                File.CreateSymbolicLink(Path.Combine(folder, "data"), Path.GetDirectoryName(OutsideFile(folder))!);
                File.Copy(OutsideFile(folder), Path.Combine(Path.GetDirectoryName(OutsideFile(folder))!, "weights.bin"), overwrite: true);
                return ExternalWeight(folder, "external-folder-symlink", [("location", "data/weights.bin")]);
            }),
        new("external-offset-past-end", External, "`offset` 1000 in a 200-byte `weights.bin`", HostileKind.Broken,
            "runs past the end", folder =>
            {
                File.WriteAllBytes(Path.Combine(folder, "weights.bin"), FloatBytes(Floats(50)));
                return ExternalWeight(folder, "external-offset-past-end", [("location", "weights.bin"), ("offset", "1000")]);
            }),
        new("external-length-1e12", External, "`length` 10^12 in a 200-byte `weights.bin`", HostileKind.Broken,
            "runs past the end", folder =>
            {
                File.WriteAllBytes(Path.Combine(folder, "weights.bin"), FloatBytes(Floats(50)));
                return ExternalWeight(folder, "external-length-1e12", [("location", "weights.bin"), ("length", "1000000000000")]);
            }, HeaderLie: true),
        new("external-missing", External, "`location` names a file that does not exist", HostileKind.Broken,
            "file not found", folder => ExternalWeight(folder, "external-missing", [("location", "weights.bin")])),

        new("unknown-domain", Operators, "the Relu replaced by `com.example:FancyRelu`, a domain that opset_import does not list", HostileKind.Broken,
            "which opset_import does not list", folder => Write(folder, "unknown-domain", Template(m => UnknownDomainRelu(m)))),
        new("unknown-domain-imported", Operators, "the same, with `com.example` version 1 listed in opset_import", HostileKind.Unsupported,
            "com.example.FancyRelu", folder => Write(folder, "unknown-domain-imported", Template(m =>
            {
                UnknownDomainRelu(m);
                m.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.example", Version = 1 });
            }))),
        new("opset-23", Operators, "the template with default-domain opset 23, newer than supported", HostileKind.Broken,
            "opset 23 is newer than supported", folder => Write(folder, "opset-23", Template(m => m.OpsetImport[0].Version = 23))),
        new("opset-max", Operators, "default-domain opset 2^63-1", HostileKind.Broken,
            "is newer than supported", folder => Write(folder, "opset-max", Template(m => m.OpsetImport[0].Version = long.MaxValue))),
        new("ir-version-99", Operators, "IR version 99", HostileKind.Broken,
            "IR version 99 is newer", folder => Write(folder, "ir-version-99", Template(m => m.IrVersion = 99))),

        new("if-nested-50", Nesting, $"the Relu replaced by an If whose then-branch holds an If, and so on {DeepNesting} levels deep", HostileKind.Broken,
            "nested", folder => Write(folder, "if-nested-50", Template(m => NestedIf(m, DeepNesting)))),
        new("if-nested-20", Nesting, $"the same, {ShallowNesting} levels deep (within protobuf's nesting limit)", HostileKind.Unsupported,
            "(If, opset 13): operator not supported", folder => Write(folder, "if-nested-20", Template(m => NestedIf(m, ShallowNesting)))),
        new("loop", Nesting, "the Relu replaced by a Loop (one iteration) whose body applies the Relu", HostileKind.Unsupported,
            "(Loop, opset 13): operator not supported", folder => Write(folder, "loop", Template(m => LoopRelu(m)))),

        new("pcn-not-a-zip", Pcn, "4,096 random bytes named `.pcn`", HostileKind.Broken,
            "not a readable .pcn file", folder => WritePcn(folder, "pcn-not-a-zip", RandomBytes(4096, seed: 11))),
        new("pcn-truncated", Pcn, "the template converted to `.pcn`, cut off at half its length", HostileKind.Broken,
            "not a readable .pcn file", folder => WritePcn(folder, "pcn-truncated", TemplatePcn()[..(TemplatePcn().Length / 2)])),
        new("pcn-without-model", Pcn, "a zip holding only `pcn.json`", HostileKind.Broken,
            "has no model.onnx entry", folder => WritePcn(folder, "pcn-without-model", Zip(("pcn.json", "{}"u8.ToArray())))),
        new("pcn-model-with-cycle", Pcn, "a zip whose `model.onnx` is the `cycle` model above", HostileKind.Broken,
            "has a cycle", folder => WritePcn(folder, "pcn-model-with-cycle", Zip(("model.onnx", Bytes(CycleModel())), ("pcn.json", "{}"u8.ToArray())))),
        new("pcn-model-truncated", Pcn, "a zip whose `model.onnx` is the template cut off at half its length", HostileKind.Broken,
            "model.onnx is not an ONNX model", folder => WritePcn(folder, "pcn-model-truncated", Zip(("model.onnx", Bytes(Template())[..(Bytes(Template()).Length / 2)])))),
        new("checkpoint-state-not-json", Pcn, "a checkpoint (the template's `.pcn` with `checkpoint/state.json`) whose run state is `{not json`", HostileKind.BadCheckpoint,
            "the checkpoint cannot be resumed", folder => WritePcn(folder, "checkpoint-state-not-json", TemplatePcn(("checkpoint/state.json", "{not json"u8.ToArray())))),
        new("checkpoint-tensor-not-npy", Pcn, "a checkpoint whose saved `conv.weight` is 7 bytes of text, not `.npy`", HostileKind.BadCheckpoint,
            "not a NumPy .npy file", folder => WritePcn(folder, "checkpoint-tensor-not-npy", TemplatePcn(
                ("checkpoint/state.json", ValidState()), ("checkpoint/parameters/conv.weight.npy", "garbage"u8.ToArray())))),
        new("checkpoint-tensor-wrong-shape", Pcn, "a checkpoint whose saved `conv.weight` is a [3, 7] array where the model has [2, 1, 5, 5]", HostileKind.BadCheckpoint,
            "the checkpoint cannot be resumed", folder => WritePcn(folder, "checkpoint-tensor-wrong-shape", TemplatePcn(
                ("checkpoint/state.json", ValidState()), ("checkpoint/parameters/conv.weight.npy", Npy([3, 7]))))),

        new("fifo-model", Special, "the model path is a named pipe that nobody writes to (reading it would wait forever)", HostileKind.Broken,
            "a pipe or a device", folder => NamedPipe(Path.Combine(folder, "fifo-model.onnx"))),
        new("device-model", Special, "the model path is a symbolic link to `/dev/zero` (reading it would never end)", HostileKind.Broken,
            "a pipe or a device", folder =>
            {
                string path = Path.Combine(folder, "device-model.onnx");
                File.CreateSymbolicLink(path, "/dev/zero");
                return path;
            }),
        new("fifo-pcn", Special, "the model path is a named pipe called `.pcn`", HostileKind.Broken,
            "a pipe or a device", folder => NamedPipe(Path.Combine(folder, "fifo-pcn.pcn"))),
        new("external-fifo", Special, "the Conv weight's external data `weights.bin` is a named pipe in the model's folder, `length` 200", HostileKind.Broken,
            "runs past the end", folder =>
            {
                NamedPipe(Path.Combine(folder, "weights.bin"));
                return ExternalWeight(folder, "external-fifo", [("location", "weights.bin"), ("length", "200")]);
            }),
    ];

    // ---- the template ----

    /// <summary>
    /// A small valid CNN with LeNet-5's input: x [N, 1, 28, 28] -> Conv (2 filters of 5x5) -> Relu -> GlobalAveragePool
    /// -> Flatten -> Gemm -> y [N, 10]. Every case is this model changed in one way.
    /// </summary>
    public static ModelProto Template(Action<ModelProto>? change = null)
    {
        var model = new ModelBuilder(irVersion: 8, opset: 13).Build();
        var g = model.Graph;
        g.Input.Add(ValueInfo("x", "N", 1, 28, 28));
        g.Output.Add(ValueInfo("y", "N", 10));
        g.Initializer.Add(ModelBuilder.FloatTensor("conv.weight", [2, 1, 5, 5], Floats(50)));
        g.Initializer.Add(ModelBuilder.FloatTensor("conv.bias", [2], 0.1f, -0.1f));
        g.Initializer.Add(ModelBuilder.FloatTensor("fc.weight", [10, 2], Floats(20)));
        g.Initializer.Add(ModelBuilder.FloatTensor("fc.bias", [10], Floats(10)));
        g.Node.Add(ModelBuilder.NewNode("Conv", ["x", "conv.weight", "conv.bias"], ["conv_out"], "conv"));
        g.Node.Add(ModelBuilder.NewNode("Relu", ["conv_out"], ["relu_out"], "relu"));
        g.Node.Add(ModelBuilder.NewNode("GlobalAveragePool", ["relu_out"], ["pool_out"], "pool"));
        var flatten = ModelBuilder.NewNode("Flatten", ["pool_out"], ["flat"], "flatten");
        flatten.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        g.Node.Add(flatten);
        var gemm = ModelBuilder.NewNode("Gemm", ["flat", "fc.weight", "fc.bias"], ["y"], "fc");
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        g.Node.Add(gemm);
        change?.Invoke(model);
        return model;
    }

    private static ModelProto CycleModel() => Template(m =>
    {
        var g = m.Graph;
        g.Node.Single(n => n.Name == "relu").Input[0] = "looped";
        g.Node.Add(ModelBuilder.NewNode("Add", ["relu_out", "conv_out"], ["looped"], "add_back"));
    });

    private static ValueInfoProto ValueInfo(string name, string batch, params long[] rest)
    {
        var info = ModelBuilder.FloatValueInfo(name, rest);
        info.Type.TensorType.Shape.Dim.Insert(0, new TensorShapeProto.Types.Dimension { DimParam = batch });
        return info;
    }

    private static float[] Floats(int count) => Enumerable.Range(0, count).Select(i => (float)Math.Sin(i + 1) * 0.3f).ToArray();

    private static byte[] Bytes(ModelProto model) => model.ToByteArray();

    private static string Write(string folder, string id, ModelProto model) => Write(folder, id, model.ToByteArray());

    private static string Write(string folder, string id, byte[] bytes)
    {
        string path = Path.Combine(folder, id + ".onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A named pipe (mkfifo), returned as the path it was made at.</summary>
    public static string NamedPipe(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0) throw new InvalidOperationException($"mkfifo {path} failed");
        return path;
    }

    private static string WritePcn(string folder, string id, byte[] bytes)
    {
        string path = Path.Combine(folder, id + ".pcn");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The template as `convert` writes it to a .pcn, with extra entries (a checkpoint's) when given.</summary>
    private static byte[] TemplatePcn(params (string Name, byte[] Bytes)[] extra)
    {
        using var temp = new TestSupport.TempDirectory();
        string path = temp.File("template.pcn");
        var model = Template();
        PcnArchive.Write(path, model, PcGraphBuilder.Build(model, path), extra.ToDictionary(e => e.Name, e => e.Bytes));
        return File.ReadAllBytes(path);
    }

    private static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        return buffer.ToArray();
    }

    /// <summary>
    /// The run state of a checkpoint written by `finetune --rule zil --loss ce --batch-size 8` at step 1, in the last
    /// format without a manifest (version 4): what these files break is their saved tensors, which a manifest would
    /// refuse before they are read (CheckpointManifestTests covers checkpoints with one).
    /// </summary>
    private static byte[] ValidState() => JsonSerializer.SerializeToUtf8Bytes(
        new CheckpointState(1, "zil", "ce", "sgd", 0.01, 8, true, 0, "float32", Version: CheckpointState.ManifestVersion - 1), PcnArchive.Json);

    private static byte[] Npy(long[] shape)
    {
        using var buffer = new MemoryStream();
        NpyFormat.Write(buffer, new HostTensor(DataType.Double, shape, new double[shape.Aggregate(1L, (a, b) => a * b)]), "conv.weight.npy");
        return buffer.ToArray();
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static byte[] Int64Bytes(params long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    private static TensorProto TypedFloats(string name, long[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        return t;
    }

    private static void ReplaceInitializer(ModelProto model, TensorProto tensor)
    {
        var initializers = model.Graph.Initializer;
        initializers[initializers.IndexOf(initializers.Single(t => t.Name == tensor.Name))] = tensor;
    }

    // ---- wire-level changes ----

    private static byte[] WireTag(int field, int wireType) => Robustness.WireFormat.Varint((ulong)((field << 3) | wireType));

    /// <summary>The model's bytes with every top-level field of the given number replaced by <paramref name="replacement"/> (once).</summary>
    private static byte[] ReplaceTopLevelField(byte[] model, int field, byte[] replacement)
    {
        var fields = Robustness.WireFormat.Parse(model)!;
        var kept = new List<byte>();
        bool replaced = false;
        foreach (var f in fields)
        {
            ulong tag = 0;
            for (int i = f.TagBytes.Length - 1; i >= 0; i--) tag = (tag << 7) | (uint)(f.TagBytes[i] & 0x7F);
            if ((int)(tag >> 3) == field)
            {
                if (!replaced) kept.AddRange(replacement);
                replaced = true;
                continue;
            }
            kept.AddRange(Robustness.WireFormat.Serialize([f]));
        }
        if (!replaced) throw new InvalidOperationException($"the template has no field {field}");
        return [.. kept];
    }

    /// <summary>The bytes up to the middle of the first multi-byte length prefix (the graph's).</summary>
    private static byte[] CutInsideFirstLength(byte[] model)
    {
        var fields = Robustness.WireFormat.Parse(model)!;
        int offset = 0;
        foreach (var f in fields)
        {
            byte[] one = Robustness.WireFormat.Serialize([f]);
            if (f.WireType == 2 && one.Length - f.TagBytes.Length - f.Value.Length > 1)
                return model[..(offset + f.TagBytes.Length + 1)];
            offset += one.Length;
        }
        throw new InvalidOperationException("the template has no field with a multi-byte length");
    }

    // ---- external data ----

    /// <summary>A file outside the case's folder (in a sibling folder), which a hostile location tries to reach.</summary>
    private static string OutsideFile(string folder)
    {
        string outside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(folder))!, Path.GetFileName(folder) + "-outside");
        Directory.CreateDirectory(outside);
        string file = Path.Combine(outside, "secret.bin");
        if (!File.Exists(file)) File.WriteAllBytes(file, FloatBytes(Floats(50)));
        return file;
    }

    private static string ExternalWeight(string folder, string id, (string Key, string Value)[] entries) => Write(folder, id, Template(m =>
    {
        var t = new TensorProto { Name = "conv.weight", DataType = (int)DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        t.Dims.AddRange([2, 1, 5, 5]);
        foreach (var (key, value) in entries) t.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
        ReplaceInitializer(m, t);
    }));

    // ---- operators and sub-graphs ----

    private static void UnknownDomainRelu(ModelProto model)
    {
        var relu = model.Graph.Node.Single(n => n.Name == "relu");
        relu.Domain = "com.example";
        relu.OpType = "FancyRelu";
    }

    private static AttributeProto GraphAttribute(string name, GraphProto graph) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = graph };

    /// <summary>The Relu replaced by an If (on a constant condition) whose then-branch is an If, ... <paramref name="depth"/> levels deep.</summary>
    private static void NestedIf(ModelProto model, int depth)
    {
        model.Graph.Initializer.Add(ModelBuilder.RawTensor("cond", DataType.Bool, [], [1]));
        var nodes = model.Graph.Node;
        nodes[nodes.IndexOf(nodes.Single(n => n.Name == "relu"))] = IfNode(1, depth, "relu_out");
    }

    private static NodeProto IfNode(int level, int depth, string output)
    {
        var node = ModelBuilder.NewNode("If", ["cond"], [output], $"if{level}");
        node.Attribute.Add(GraphAttribute("then_branch", level == depth ? ReluBranch($"then{level}") : IfBranch(level + 1, depth)));
        node.Attribute.Add(GraphAttribute("else_branch", ReluBranch($"else{level}")));
        return node;
    }

    /// <summary>A branch that applies Relu to the outer scope's conv_out.</summary>
    private static GraphProto ReluBranch(string name)
    {
        var g = new GraphProto { Name = name };
        g.Node.Add(ModelBuilder.NewNode("Relu", ["conv_out"], [name + "_out"], name + "_relu"));
        g.Output.Add(ValueInfo(name + "_out", "N", 2, 24, 24));
        return g;
    }

    private static GraphProto IfBranch(int level, int depth)
    {
        var g = new GraphProto { Name = $"then{level - 1}" };
        g.Node.Add(IfNode(level, depth, $"if{level}_out"));
        g.Output.Add(ValueInfo($"if{level}_out", "N", 2, 24, 24));
        return g;
    }

    /// <summary>The Relu replaced by Loop(M = 1, cond = true, conv_out) whose body applies the Relu to its loop-carried value.</summary>
    private static void LoopRelu(ModelProto model)
    {
        model.Graph.Initializer.Add(ModelBuilder.RawTensor("trip_count", DataType.Int64, [], Int64Bytes(1)));
        model.Graph.Initializer.Add(ModelBuilder.RawTensor("keep_going", DataType.Bool, [], [1]));
        var body = new GraphProto { Name = "loop_body" };
        body.Input.Add(new ValueInfoProto { Name = "iteration" });
        body.Input.Add(new ValueInfoProto { Name = "cond_in" });
        body.Input.Add(ValueInfo("value_in", "N", 2, 24, 24));
        body.Node.Add(ModelBuilder.NewNode("Identity", ["cond_in"], ["cond_out"], "keep"));
        body.Node.Add(ModelBuilder.NewNode("Relu", ["value_in"], ["value_out"], "body_relu"));
        body.Output.Add(new ValueInfoProto { Name = "cond_out" });
        body.Output.Add(ValueInfo("value_out", "N", 2, 24, 24));
        var loop = ModelBuilder.NewNode("Loop", ["trip_count", "keep_going", "conv_out"], ["relu_out"], "loop");
        loop.Attribute.Add(GraphAttribute("body", body));
        var nodes = model.Graph.Node;
        nodes[nodes.IndexOf(nodes.Single(n => n.Name == "relu"))] = loop;
    }
}
