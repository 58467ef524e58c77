using System.Text.RegularExpressions;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// The preprocessing options end to end: a model fine-tuned on an image folder with --resize, --center-crop, --mean and
/// --std stores them (zilonnx.preprocess), `inspect` shows them, and `eval` without options applies them, giving the
/// numbers the same options give explicitly. Bad values and arrays given a resize are refused.
/// </summary>
public sealed class PreprocessingCommandTests
{
    private static readonly string[] Options = ["--resize", "31", "--center-crop", "28", "--mean", "0.5", "--std", "0.25"];

    /// <summary>Two classes of 4 grayscale PNGs of 33x37 pixels, which --resize 31 --center-crop 28 brings to LeNet's 28x28.</summary>
    private static string WriteFolder(TempDirectory temp)
    {
        string folder = temp.File("images");
        var random = new Random(5);
        for (int i = 0; i < 8; i++)
        {
            var pixels = new byte[33 * 37];
            random.NextBytes(pixels);
            ImageFiles.WriteGrayPng(Path.Combine(folder, $"class-{i % 2}", $"{i}.png"), pixels, 33, 37);
        }
        return folder;
    }

    [Fact]
    public void Eval_of_the_export_without_options_applies_the_stored_preprocessing()
    {
        using var temp = new TempDirectory();
        string folder = WriteFolder(temp), output = temp.File("tuned.onnx");
        var finetune = CliProcess.Run(["finetune", Fixtures.PathOf("lenet5.onnx"), "--data", folder, "-o", output, "--steps", "2", "--batch-size", "4", .. Options]);
        Assert.True(finetune.ExitCode == 0, finetune.ToString());

        var inspect = CliProcess.Run("inspect", output);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains("\"resize\":[31],\"center_crop\":[28,28],\"mean\":[0.5],\"std\":[0.25],\"layout\":\"nchw\",\"channels\":1", inspect.Output);

        var stored = CliProcess.Run("eval", output, "--data", folder, "--provider", "cpu", "--json");
        var given = CliProcess.Run(["eval", output, "--data", folder, "--provider", "cpu", "--json", .. Options]);
        var none = CliProcess.Run("eval", Fixtures.PathOf("lenet5.onnx"), "--data", folder, "--provider", "cpu");
        Assert.True(stored.ExitCode == 0, stored.ToString());
        Assert.True(given.ExitCode == 0, given.ToString());
        Assert.Equal(given.Output, stored.Output);
        Assert.Contains("applying the preprocessing stored in", stored.Error);
        // The image folder's note names the options that brought the images to the model's size, as flags.
        Assert.Contains("read as grayscale 28x28 after --resize 31 and --center-crop 28,28 and scaled", stored.Error);
        // The original model stores nothing, so its 33x37 images do not fit and the error says how to fix that.
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--resize 28,28", none.Error);
    }

    [Theory]
    [InlineData("--resize", "0", "--resize sizes must be whole numbers")]
    [InlineData("--resize", "3,4,5", "--resize expects H,W or S")]
    [InlineData("--center-crop", "a,b", "--center-crop sizes must be whole numbers")]
    [InlineData("--std", "0.2,0,0.3", "--std values must each be a positive finite number")]
    [InlineData("--mean", "0.1,0.2", "--mean expects one value or three")]
    [InlineData("--layout", "chw", "--layout 'chw' is not one of")]
    [InlineData("--augment", "vflip", "--augment: 'vflip' is not hflip or crop:P")]
    public void A_bad_value_is_one_usage_error_line(string option, string value, string message)
    {
        var run = CliProcess.Run("finetune", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"), "-o", "/tmp/never.onnx", option, value);
        Assert.Equal(1, run.ExitCode);
        Assert.Matches($"^error: .*{Regex.Escape(message)}", run.Error.Trim());
    }

    [Fact]
    public void Eval_offers_no_augmentation()
    {
        var run = CliProcess.Run("eval", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"), "--augment", "hflip");
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void A_resize_of_arrays_is_refused_naming_image_files()
    {
        var run = CliProcess.Run("eval", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"), "--resize", "28,28");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("apply to image files", run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
    }
}
