using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>The committed PyTorch-exported models and data under tests/fixtures (see its README).</summary>
public static class Fixtures
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string PathOf(string file) => Path.Combine(Folder, file);

    /// <summary>Architecture fixtures: (model file stem, data stem). Opset variants share the data of their network.</summary>
    public static readonly (string Model, string Data)[] Networks =
    [
        ("mlp", "mlp"),
        ("mlp_logsoftmax_opset11", "mlp_logsoftmax_opset11"),
        ("lenet5", "lenet5"),
        ("lenet5_opset9", "lenet5"),
        ("cnn_features", "cnn_features"),
        ("cnn_features_opset11", "cnn_features"),
        ("residual_mlp", "residual_mlp"),
    ];

    public static string DataOf(string model) => Networks.Single(n => n.Model == model).Data;

    /// <summary>The PCN of a fixture built for batches of <paramref name="batchSize"/> samples.</summary>
    public static PcGraph Graph(string model, string loss, bool levelling = true, int batchSize = 8)
    {
        string path = PathOf(model + ".onnx");
        long[] sample = Data(model, loss).Inputs.Shape[1..];
        return PcGraphBuilder.Build(OnnxModelFile.Load(path), path, new PcGraphOptions
        {
            TrainOnLogits = loss == "ce",
            Levelling = levelling,
            InputShapes = new Dictionary<string, long[]> { ["x"] = [batchSize, .. sample] },
        });
    }

    public static PcnModel Model(string model, string loss, Precision precision, bool levelling = true, int batchSize = 8) =>
        new(Graph(model, loss, levelling, batchSize), precision, CPU);

    public static DataSet Data(string model, string loss)
    {
        string path = PathOf($"{DataOf(model)}.{loss}.npz");
        var arrays = NpzArchive.Read(path);
        return new DataSet(path, "x", arrays["x"], arrays["y"]);
    }

    public static IReadOnlyDictionary<string, HostTensor> Arrays(string file) => NpzArchive.Read(PathOf(file));
}
