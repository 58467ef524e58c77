using System.Text.Json;
using System.Text.RegularExpressions;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Models;

/// <summary>
/// The models shipped in models/ are what their model cards say: they run under ONNX Runtime at the stated
/// accuracy on Fashion-MNIST's test set, and Z-IL fine-tuning of them equals backprop.
/// </summary>
public sealed class ShippedModelTests
{
    private static string PathOf(string model) => Path.Combine(AppContext.BaseDirectory, "models", model);

    // The model cards' accuracies on all 10,000 test images, measured with ONNX Runtime; the same numbers must
    // come out (two decimals of a percentage, as printed: one image), so a shipped file that changed is noticed. Only a
    // near tie may count otherwise: the cards were measured on another machine, whose ONNX Runtime may have summed the
    // scores with other SIMD kernels (NearTies says why).
    [Theory]
    [InlineData("lenet5-fashion.onnx", "89.10 %")]
    [InlineData("lstm-fashion-rows.onnx", "86.46 %")]
    [InlineData("rnn-fashion-rows.onnx", "80.46 %")]
    public void Onnx_runtime_reproduces_the_model_cards_test_accuracy(string model, string accuracy)
    {
        var run = CliProcess.Run("eval", PathOf(model), "--data", "fashion-mnist", "--provider", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString() + "\n(the data comes from the Debian package dataset-fashion-mnist)");
        Assert.True(run.Output.Contains("(10000 samples"), run.Output + "\n(the cards measured all 10,000 test images: install dataset-fashion-mnist)");
        string measured = Regex.Match(run.Output, @"top-1 (\S+ %)").Groups[1].Value;
        Assert.NotEqual("", measured);
        var (samples, ties) = NearTies.Find(PathOf(model), "fashion-mnist");
        NearTies.AssertAccuraciesAgree(accuracy, measured, samples, ties.Count, $"{model}: the model card and ONNX Runtime");
    }

    [Theory]
    [InlineData("lenet5-fashion.onnx")]
    [InlineData("lstm-fashion-rows.onnx")]
    [InlineData("rnn-fashion-rows.onnx")]
    public void Zil_fine_tuning_of_a_shipped_model_equals_backprop_in_float64(string model)
    {
        var run = CliProcess.Run("verify", PathOf(model), "--data", "fashion-mnist", "--rule", "zil", "--loss", "ce",
            "--batch-size", "16", "--steps", "2", "--precision", "float64", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.True(json.RootElement.GetProperty("max_rel_divergence").GetDouble() <= 1e-10, run.Output);
    }
}
