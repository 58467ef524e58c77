using Google.Protobuf;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Tests.Trainer.Rules;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>`zilonnx finetune` on an embedding model fed int64 token ids from an .npz.</summary>
public sealed class FinetuneEmbeddingTests
{
    private static (string Model, string Data) Write(TempDirectory temp, HostTensor x)
    {
        string model = temp.File("embedding.onnx"), data = temp.File("tokens.npz");
        File.WriteAllBytes(model, EmbeddingModel.Build(batch: 8).ToByteArray());
        NpzArchive.Write(data, [new("x", x), new("y", EmbeddingModel.Targets(x.Shape[0]))]);
        return (model, data);
    }

    private static string[] Arguments(string model, string data, string output) =>
        ["finetune", model, "--data", data, "--rule", "zil", "--loss", "mse", "--optimizer", "sgd", "--lr", "0.1",
            "--batch-size", "8", "--steps", "4", "--no-shuffle", "--precision", "float64", "-o", output];

    [Fact]
    public void Token_ids_from_an_npz_train_the_table_and_the_export_runs_in_onnx_runtime()
    {
        using var temp = new TempDirectory();
        var (model, data) = Write(temp, EmbeddingModel.Ids(16));
        string output = temp.File("out.onnx");
        var run = CliProcess.Run(Arguments(model, data, output));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("max divergence from backprop", run.Output);

        var before = ModelProto.Parser.ParseFrom(File.ReadAllBytes(model)).Graph.Initializer.Single(t => t.Name == "E");
        var after = ModelProto.Parser.ParseFrom(File.ReadAllBytes(output)).Graph.Initializer.Single(t => t.Name == "E");
        Assert.False(before.RawData.Equals(after.RawData), "the embedding table was not updated");
        using var session = OnnxRuntimeSession.Open(output, ExecutionProviderChoice.Cpu);
        var y = session.Run(new Dictionary<string, HostTensor> { ["x"] = EmbeddingModel.Ids(8) })["y"];
        Assert.Equal([8L, 4], y.Shape);
    }

    [Fact]
    public void Float_inputs_for_an_integer_model_input_are_refused()
    {
        using var temp = new TempDirectory();
        var ids = EmbeddingModel.Ids(16);
        var (model, data) = Write(temp, new HostTensor(TensorProto.Types.DataType.Float, ids.Shape, ids.Values));
        var run = CliProcess.Run(Arguments(model, data, temp.File("out.onnx")));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("x must be int32 or int64", run.Error);
    }

    [Fact]
    public void An_out_of_range_token_id_stops_the_run_with_a_clear_error()
    {
        using var temp = new TempDirectory();
        var ids = EmbeddingModel.Ids(16);
        ids.Values[12] = 25;
        var (model, data) = Write(temp, ids);
        string output = temp.File("out.onnx");
        var run = CliProcess.Run(Arguments(model, data, output));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("index 25 is out of range for an axis of size 20", run.Error);
        Assert.False(File.Exists(output));
    }
}

/// <summary>Integer x is accepted only for an integer model input, and float x only for a float one.</summary>
public sealed class IntegerInputDataTests
{
    [Fact]
    public void Integer_x_for_a_float_model_input_is_refused_and_kept_as_int64_for_an_integer_one()
    {
        using var temp = new TempDirectory();
        string data = temp.File("tokens.npz");
        NpzArchive.Write(data, [new("x", EmbeddingModel.Ids(16)), new("y", EmbeddingModel.Targets(16))]);
        var e = Assert.Throws<DataFormatException>(() => DataSources.Load(data, DataSplit.Train, "x", [null, 5]));
        Assert.Contains("inputs must be floating point", e.Message);
        Assert.Contains("for a floating-point model input", e.Message);

        var set = DataSources.Load(data, DataSplit.Train, "x", [null, 5], integerInput: true);
        Assert.True(set.IntegerInputs);
        var batch = set.Take([0, 1], TorchSharp.torch.ScalarType.Float32, TorchSharp.torch.CPU);
        Assert.Equal(TorchSharp.torch.ScalarType.Int64, batch.Inputs["x"].dtype);
    }
}
