using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Converter.Transfer;

namespace ZilOnnx.Cli.Models;

/// <summary>A model argument: an .onnx file, or a .pcn file (a converted model or a checkpoint) with its extra entries.</summary>
/// <param name="ModelSha256">For a .pcn file, the SHA-256 of its model entry's bytes (a checkpoint's manifest records it); else
/// null.</param>
public sealed record ModelSource(string Path, ModelProto Model, IReadOnlyDictionary<string, byte[]> Entries, string? ModelSha256 = null)
{
    public static ModelSource Load(string path)
    {
        if (IsPcn(path))
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
            var (model, entries, modelSha256) = PcnArchive.Read(path);
            return new ModelSource(path, model, entries, modelSha256);
        }
        return new ModelSource(path, OnnxModelFile.Load(path), new Dictionary<string, byte[]>());
    }

    public PcGraph BuildGraph(PcGraphOptions options) => PcGraphBuilder.Build(Model, Path, options);

    /// <summary>This model with its classification head replaced by one of <paramref name="classes"/> outputs (--num-classes).</summary>
    public (ModelSource Source, ClassifierHead Head) WithNewHead(int classes, int seed)
    {
        var (model, head) = HeadSurgery.Replace(Model, Path, classes, seed);
        return (this with { Model = model }, head);
    }

    /// <summary>This model with every parameter drawn afresh (--reinit), and the initializers drawn and kept.</summary>
    public (ModelSource Source, IReadOnlyList<string> Drawn, IReadOnlyList<string> Kept) WithFreshParameters(int seed)
    {
        var (model, drawn, kept) = FreshInitialization.Apply(Model, Path, seed);
        return (this with { Model = model }, drawn, kept);
    }

    public static bool IsPcn(string path) => path.EndsWith(".pcn", StringComparison.OrdinalIgnoreCase);
}
