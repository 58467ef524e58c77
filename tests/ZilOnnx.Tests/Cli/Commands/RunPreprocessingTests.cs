using System.Text.Json;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// `run` on raw images of a model fine-tuned with --resize/--mean/--std: without options it applies the model's stored
/// preprocessing (zilonnx.preprocess), and predicts what `eval` and `run` with the options given explicitly predict.
/// </summary>
public sealed class RunPreprocessingTests
{
    private static readonly string Model = Repository.PathOf("models", "lenet5-fashion.onnx");
    private static readonly string[] Options = ["--resize", "28,28", "--mean", "0.3", "--std", "0.35"];

    /// <summary>
    /// Fashion-MNIST test images scaled up (nearest neighbour) to 56x56 and 42x35 in turn, one folder per class: raw images
    /// of another size than the model's 28x28, of two sizes at once.
    /// </summary>
    private static IReadOnlyList<(string File, int Label)> WriteLargerImages(TempDirectory temp)
    {
        var images = FashionImages.Write(temp.File("small"), perClass: 2);
        var written = new List<(string, int)>();
        for (int n = 0; n < images.Count; n++)
        {
            var (height, width) = n % 2 == 0 ? (56, 56) : (42, 35);
            var pixels = new byte[height * width];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    pixels[y * width + x] = images[n].Pixels[y * FashionImages.Side / height * FashionImages.Side + x * FashionImages.Side / width];
            string file = Path.Combine(temp.File("photos"), FashionImages.ClassNames[images[n].Label], Path.GetFileName(images[n].File));
            ImageFiles.WriteGrayPng(file, pixels, height, width);
            written.Add((file, images[n].Label));
        }
        return [.. written.OrderBy(w => w.Item1, StringComparer.Ordinal)];
    }

    private static CliProcess.Result Succeed(params string[] arguments)
    {
        var run = CliProcess.Run(arguments);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    [Fact]
    public void Run_on_raw_images_applies_the_stored_preprocessing_and_predicts_what_eval_and_explicit_options_do()
    {
        using var temp = new TempDirectory();
        var images = WriteLargerImages(temp);
        string photos = temp.File("photos"), tuned = temp.File("tuned.onnx");
        Succeed(["finetune", Model, "--data", photos, "-o", tuned, "--steps", "2", "--batch-size", "10", "--lr", "0.001", .. Options]);

        var stored = Succeed("run", tuned, "--data", photos, "--engine", "ort", "--top", "10", "--json");
        var explicitly = Succeed(["run", tuned, "--data", photos, "--engine", "ort", "--top", "10", "--json", .. Options]);
        var pcn = Succeed("run", tuned, "--data", photos, "--json");
        Assert.Single(stored.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith($"note: applying the preprocessing stored in {tuned}"));
        Assert.Contains("override those stored", explicitly.Error);
        // The same pixels prepared the same way through the same engine: the same output, to the last digit.
        Assert.Equal(explicitly.Output, stored.Output);

        var predictions = JsonDocument.Parse(stored.Output).RootElement.EnumerateArray().ToArray();
        var pcnPredictions = JsonDocument.Parse(pcn.Output).RootElement.EnumerateArray().ToArray();
        Assert.Equal(images.Count, predictions.Length);
        double lossSum = 0;
        int right = 0;
        for (int n = 0; n < images.Count; n++)
        {
            Assert.Equal(images[n].File, predictions[n].GetProperty("file").GetString());
            var top = predictions[n].GetProperty("top").EnumerateArray().ToArray();
            double labelProbability = top.Single(c => c.GetProperty("index").GetInt32() == images[n].Label).GetProperty("probability").GetDouble();
            lossSum -= Math.Log(labelProbability);
            if (top[0].GetProperty("index").GetInt32() == images[n].Label) right++;
            Assert.Equal(FashionImages.ClassNames[top[0].GetProperty("index").GetInt32()], top[0].GetProperty("class").GetString());
            // TorchSharp and ONNX Runtime are two float32 engines: logits agree to ~1e-6 relative, probabilities within 1e-4.
            var pcnTop = pcnPredictions[n].GetProperty("top")[0];
            Assert.Equal(top[0].GetProperty("index").GetInt32(), pcnTop.GetProperty("index").GetInt32());
            Assert.Equal(top[0].GetProperty("probability").GetDouble(), pcnTop.GetProperty("probability").GetDouble(), 1e-4);
        }

        // eval applies the stored preprocessing to the same folder and feeds ONNX Runtime the same float32 inputs, so its
        // loss is the mean of -log p(label) over run's probabilities: both are computed in float64 from the same float32
        // logits, and differ only by the rounding of exp and log (1e-9 relative is far above that, far below any other cause).
        var eval = JsonDocument.Parse(Succeed("eval", tuned, "--data", photos, "--provider", "cpu", "--json").Output).RootElement;
        Assert.Equal(eval.GetProperty("loss").GetDouble(), lossSum / images.Count, 1e-9 * eval.GetProperty("loss").GetDouble());
        Assert.Equal(eval.GetProperty("top1").GetDouble(), (double)right / images.Count, 12);

        // The original model stores nothing: the raw images do not fit it, and the error says how to make them.
        var original = CliProcess.Run("run", Model, "--data", photos);
        Assert.True(original.ExitCode == 2, original.ToString());
        Assert.Contains("--resize 28,28", original.Error);
    }
}
