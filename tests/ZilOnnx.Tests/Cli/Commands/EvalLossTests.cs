using System.Text.Json;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Training;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// `eval --loss/--reduction/--label-smoothing`: the loss eval reports from ONNX Runtime's outputs is the trainer's
/// held-out loss (the PCN forward pass and the same ILoss) on the same data and settings.
/// </summary>
public sealed class EvalLossTests
{
    [Theory]
    [InlineData("lenet5.onnx", "lenet5.ce.npz", "")]
    [InlineData("lenet5.onnx", "lenet5.ce.npz", "--loss ce --reduction mean --label-smoothing 0.1")]
    [InlineData("tf2onnx_style_cnn.onnx", "tf2onnx_style_cnn.ce.npz", "--reduction sample")] // a final Softmax: ONNX Runtime serves probabilities
    [InlineData("mlp_logsoftmax_opset11.onnx", "mlp_logsoftmax_opset11.ce.npz", "--reduction mean")]
    [InlineData("lenet5.onnx", "lenet5.mse.npz", "--loss mse")]
    [InlineData("lenet5.onnx", "lenet5.mse.npz", "--loss mse --reduction mean")]
    [InlineData("tiny_seg.onnx", "losses/seg_ce_mean.npz", "--reduction mean")]
    [InlineData("tiny_seg.onnx", "losses/seg_ce_mean.npz", "--reduction sample")]
    public void Eval_reports_the_trainers_held_out_loss(string modelFile, string dataFile, string options)
    {
        string model = Fixtures.PathOf(modelFile), data = Fixtures.PathOf(dataFile);
        string[] given = options.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // Batches of 5 against the trainer's 8: both average over samples, whatever the batching.
        var run = CliProcess.Run(["eval", model, "--data", data, "--provider", "cpu", "--batch-size", "5", "--json", .. given]);
        Assert.True(run.ExitCode == 0, run.ToString());
        double reported = JsonDocument.Parse(run.Output).RootElement.GetProperty("loss").GetDouble();

        double trainer = HeldOutLoss(model, data, Settings(given));
        // ONNX Runtime and the PCN both compute in float32, each in its own summation order: losses of order 1 to 100
        // agree to a few float32 roundings, far below the 1e-5 relative allowed; a loss of another definition (sample
        // against mean, a missing 1/2, no smoothing) differs by 5% or more.
        Assert.True(Math.Abs(reported - trainer) <= 1e-5 * Math.Abs(trainer),
            $"{modelFile} {options}: eval reports {reported:R}, the trainer's held-out loss is {trainer:R}");
    }

    [Fact]
    public void A_loss_setting_that_does_not_apply_is_a_usage_error()
    {
        var run = CliProcess.Run("eval", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.mse.npz"), "--provider", "cpu",
            "--loss", "mse", "--label-smoothing", "0.1");
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("error: --label-smoothing applies to --loss ce only, not mse", run.Error.Trim());
    }

    [Fact]
    public void Labels_for_a_loss_that_takes_float_targets_are_bad_data()
    {
        var run = CliProcess.Run("eval", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"), "--provider", "cpu", "--loss", "mse");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("mse needs float targets shaped like the output [10] per sample; got integer class labels (use --loss ce, or one-hot rows)",
            run.Error);
    }

    private static LossSettings Settings(string[] given)
    {
        string Value(string option, string fallback) => Array.IndexOf(given, option) is >= 0 and var i ? given[i + 1] : fallback;
        return new LossSettings(Value("--loss", "ce"), LossReductions.Parse(Value("--reduction", "sample")),
            LabelSmoothing: given.Contains("--label-smoothing") ? double.Parse(Value("--label-smoothing", "0"), System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    /// <summary>What finetune's held-out evaluation reports for the model as it is: float32, batches of 8.</summary>
    private static double HeldOutLoss(string path, string dataPath, LossSettings settings)
    {
        var onnx = OnnxModelFile.Load(path);
        string input = ModelInputs.DataInputNames(onnx).Single();
        var data = DataSources.Load(dataPath, DataSplit.Test, input, ModelInputs.DeclaredShape(onnx, input));
        var loss = settings.Create();
        var graph = PcGraphBuilder.Build(onnx, path, new PcGraphOptions
        {
            TrainOnLogits = loss.AppliesSoftmax,
            TrainBeforeSigmoid = loss.AppliesSigmoid,
            InputShapes = new Dictionary<string, long[]> { [input] = [8, .. data.Inputs.Shape[1..]] },
        });
        using var model = new PcnModel(graph, Precision.Float32, CPU);
        return HeldOutEvaluation.Run(model, data, loss).Loss;
    }
}
