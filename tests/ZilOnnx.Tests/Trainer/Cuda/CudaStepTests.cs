using System.Text.Json;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Trainer.Cuda;

/// <summary>
/// The GPU path, end to end through the command line: Z-IL on CUDA verified against backprop on CUDA, the bench on the
/// device, and the same fine-tuning on the CPU and the GPU. These run only on a build with the CUDA libtorch and a
/// reachable NVIDIA device (README, On an NVIDIA GPU); elsewhere xUnit reports them as skipped, with the reason.
/// </summary>
public sealed class CudaStepTests
{
    private static string Shipped(string model) => Path.Combine(AppContext.BaseDirectory, "models", model);

    // The closed forms and the autograd tape are bitwise autograd's on the CPU. On the GPU cuDNN may pick another
    // convolution algorithm for the witness than for the rule, which reorders sums: float64 then differs in its last
    // digits (1e-10 lies five orders of magnitude above its unit roundoff), float32 by a few ulps (1e-4 is the
    // verification tolerance finetune applies by default).
    [CudaTheory]
    [InlineData("lenet5-fashion.onnx", "float64", 1e-10)]
    [InlineData("lenet5-fashion.onnx", "float32", 1e-4)]
    [InlineData("rnn-fashion-rows.onnx", "float64", 1e-10)]
    [InlineData("lstm-fashion-rows.onnx", "float32", 1e-4)]
    public void Zil_on_cuda_equals_backprop_on_cuda(string model, string precision, double tolerance)
    {
        var run = CliProcess.Run("verify", Shipped(model), "--data", "fashion-mnist", "--rule", "zil", "--device", "cuda",
            "--precision", precision, "--batch-size", "32", "--steps", "3", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.True(json.RootElement.GetProperty("max_rel_divergence").GetDouble() <= tolerance, run.Output);
    }

    [CudaFact]
    public void Bench_times_bp_zil_and_the_verified_step_on_the_device()
    {
        var run = CliProcess.Run("bench", Shipped("lenet5-fashion.onnx"), "--device", "cuda", "--batch-size", "64",
            "--rules", "bp,zil,zil+verify", "--warmup", "3", "--steps", "5", "--jit-quiet", "0", "--ort-runs", "0", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.StartsWith("cuda", json.RootElement.GetProperty("device").GetString());
        var rules = json.RootElement.GetProperty("rules");
        foreach (string rule in new[] { "bp", "zil", "zil+verify" })
            Assert.True(rules.GetProperty(rule).GetProperty("median_ms").GetDouble() > 0, run.Output);
        Assert.True(rules.GetProperty("zil+verify").GetProperty("max_divergence").GetDouble() <= 1e-4, run.Output);
    }

    // The same three float64 steps on the CPU and on the GPU: the GPU's kernels sum in other orders, so the two runs'
    // parameters agree to float64 rounding accumulated over three steps, far inside 1e-9 (of the largest parameter's
    // magnitude), not bitwise.
    [CudaFact]
    public void Fine_tuning_on_the_gpu_follows_the_cpu_run()
    {
        using var temp = new TempDirectory();
        Dictionary<string, double[]> Exported(string device)
        {
            string output = temp.File(device + ".onnx");
            var run = CliProcess.Run("finetune", Shipped("lenet5-fashion.onnx"), "--data", "fashion-mnist", "--rule", "zil",
                "--device", device, "--precision", "float64", "--batch-size", "32", "--steps", "3", "--no-shuffle", "-o", output);
            Assert.True(run.ExitCode == 0, run.ToString());
            return ModelProto.Parser.ParseFrom(File.ReadAllBytes(output)).Graph.Initializer
                .ToDictionary(t => t.Name, t => TensorCodec.Decode(t, output).Values);
        }
        var cpu = Exported("cpu");
        var gpu = Exported("cuda");
        Assert.Equal(cpu.Keys.Order(), gpu.Keys.Order());
        foreach (var (name, values) in cpu)
        {
            double scale = values.Max(Math.Abs);
            double difference = values.Zip(gpu[name], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(difference <= 1e-9 * scale, $"{name}: the GPU's parameters differ from the CPU's by {difference:E2}");
        }
    }
}
