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

    /// <summary>
    /// A fixture network: its model file stem, the stem of its data and reference files (opset variants with the
    /// same initializer names share their network's), the losses it has data for, and whether PyTorch's own
    /// gradients and SGD trajectories are committed for it.
    /// </summary>
    public sealed record Network(string Model, string Data, string[] Losses, bool HasPyTorchReferences)
    {
        public bool IsRecurrent => Recurrent.Contains(this);
        public override string ToString() => Model;
    }

    private static readonly string[] BothLosses = ["mse", "ce"];

    public static readonly Network[] FeedForward =
    [
        new("mlp", "mlp", BothLosses, true),
        new("mlp_logsoftmax_opset11", "mlp_logsoftmax_opset11", BothLosses, true),
        new("lenet5", "lenet5", BothLosses, false),
        new("lenet5_opset9", "lenet5", BothLosses, false),
        new("cnn_features", "cnn_features", BothLosses, true),
        new("cnn_features_opset11", "cnn_features", BothLosses, true),
        new("residual_mlp", "residual_mlp", BothLosses, true),
    ];

    public static readonly Network[] Recurrent =
    [
        new("rnn_tanh", "rnn_tanh", BothLosses, true),
        new("rnn_relu", "rnn_relu", BothLosses, true),
        new("lstm", "lstm", BothLosses, true),
        new("gru", "gru", BothLosses, true),
        new("lstm_stacked", "lstm_stacked", BothLosses, true),
        new("gru_bidirectional", "gru_bidirectional", BothLosses, true),
        new("gru_bidirectional_final", "gru_bidirectional_final", BothLosses, true),
        new("rnn_initial_h", "rnn_initial_h", BothLosses, true),
        new("rnn_unrolled", "rnn_unrolled", BothLosses, true),
        new("rnn_seq_lens", "rnn_seq_lens", BothLosses, true),
        new("lstm_many_to_many", "lstm_many_to_many", ["mse"], true),
        new("lstm_opset9", "lstm_opset9", BothLosses, true),
        new("gru_opset9", "gru_opset9", BothLosses, true),
    ];

    public static readonly Network[] Networks = [.. FeedForward, .. Recurrent];

    public static Network Of(string model) => Networks.Single(n => n.Model == model);

    public static string DataOf(string model) => Of(model).Data;

    /// <summary>The PCN of a fixture built for batches of <paramref name="batchSize"/> samples.</summary>
    /// <param name="frozen">Initializers read as constants (--freeze), or null for all trainable.</param>
    public static PcGraph Graph(string model, string loss, bool levelling = true, int batchSize = 8, IReadOnlySet<string>? frozen = null)
    {
        string path = PathOf(model + ".onnx");
        long[] sample = Data(model, DataLossOf(loss)).Inputs.Shape[1..];
        return PcGraphBuilder.Build(OnnxModelFile.Load(path), path, new PcGraphOptions
        {
            TrainOnLogits = loss == "ce",
            TrainBeforeSigmoid = loss == "bce",
            Levelling = levelling,
            InputShapes = new Dictionary<string, long[]> { ["x"] = [batchSize, .. sample] },
            Frozen = frozen,
        });
    }

    public static PcnModel Model(string model, string loss, Precision precision, bool levelling = true, int batchSize = 8) =>
        new(Graph(model, loss, levelling, batchSize), precision, CPU);

    /// <summary>
    /// The fixture's data for <paramref name="loss"/>: ce's labels, or mse's float targets shaped like the output, which
    /// l1 takes as they are and bce as multi-label targets (1 where the mse target is positive, else 0).
    /// </summary>
    public static DataSet Data(string model, string loss)
    {
        string path = PathOf($"{DataOf(model)}.{DataLossOf(loss)}.npz");
        var arrays = NpzArchive.Read(path);
        var targets = loss == "bce"
            ? new HostTensor(arrays["y"].ElementType, arrays["y"].Shape, [.. arrays["y"].Values.Select(v => v > 0 ? 1.0 : 0.0)])
            : arrays["y"];
        return new DataSet(path, "x", arrays["x"], targets);
    }

    /// <summary>The loss whose committed data a loss trains on: labels for ce, float targets for the others.</summary>
    private static string DataLossOf(string loss) => loss == "ce" ? "ce" : "mse";

    public static IReadOnlyDictionary<string, HostTensor> Arrays(string file) => NpzArchive.Read(PathOf(file));
}
