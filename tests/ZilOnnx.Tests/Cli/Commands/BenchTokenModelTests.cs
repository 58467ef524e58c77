using System.Text.Json;
using Google.Protobuf;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Tests.Trainer.Rules;
using ZilOnnx.Trainer.Data;
using Xunit;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>`zilonnx bench` on a model fed int64 token ids: every part runs, ONNX Runtime's included (it is fed the ids).</summary>
public sealed class BenchTokenModelTests
{
    [Fact]
    public void Bench_on_token_ids_times_the_steps_and_onnx_runtime_on_the_export()
    {
        using var temp = new TempDirectory();
        string model = temp.File("embedding.onnx"), data = temp.File("tokens.npz");
        File.WriteAllBytes(model, EmbeddingModel.Build(batch: 8).ToByteArray());
        NpzArchive.Write(data, [new("x", EmbeddingModel.Ids(16)), new("y", EmbeddingModel.Targets(16))]);

        var run = CliProcess.Run(["bench", model, "--data", data, "--loss", "mse", "--rules", "zil", "--batch-size", "8", "--steps", "3",
            "--warmup", "1", "--jit-quiet", "0", "--ort-runs", "3", "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var ort = json.RootElement.GetProperty("onnxruntime");
        Assert.True(ort.ValueKind == JsonValueKind.Object, $"no ONNX Runtime measurement: {run.Output}");
        Assert.Equal(3, ort.GetProperty("runs").GetInt32());
        Assert.True(ort.GetProperty("original_ms").GetDouble() > 0, ort.ToString());
        Assert.True(ort.GetProperty("exported_ms").GetDouble() > 0, ort.ToString());
        Assert.True(json.RootElement.GetProperty("rules").GetProperty("zil").GetProperty("median_ms").GetDouble() > 0, run.Output);
    }
}
