using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Pcn;

namespace ZilOnnx.Cli.Models;

/// <summary>A model argument: an .onnx file, or a .pcn file (a converted model or a checkpoint) with its extra entries.</summary>
public sealed record ModelSource(string Path, ModelProto Model, IReadOnlyDictionary<string, byte[]> Entries)
{
    public static ModelSource Load(string path)
    {
        if (IsPcn(path))
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
            var (model, entries) = PcnArchive.Read(path);
            return new ModelSource(path, model, entries);
        }
        return new ModelSource(path, OnnxModelFile.Load(path), new Dictionary<string, byte[]>());
    }

    public PcGraph BuildGraph(PcGraphOptions options) => PcGraphBuilder.Build(Model, Path, options);

    public static bool IsPcn(string path) => path.EndsWith(".pcn", StringComparison.OrdinalIgnoreCase);
}
