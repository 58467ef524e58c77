using ZilOnnx.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// Settings a checkpoint continues: --augment, the preprocessing options (here --mean and --std, which arrays take), and a transfer run's new head and frozen set. A run resumed from its
/// checkpoint at step 2 exports bitwise the model of the same run taken to step 4 without a stop (--no-shuffle, sgd: the
/// checkpoint holds the float32 parameters exactly, as float64, and sgd keeps no state).
/// </summary>
public sealed class ResumedTransferAndAugmentTests
{
    private static string LeNet => Fixtures.PathOf("lenet5.onnx");
    private static string Data => Fixtures.PathOf("lenet5.ce.npz");
    private static readonly string[] Common = ["--data", Data, "--batch-size", "8", "--no-shuffle", "--lr", "0.05"];

    [Theory]
    [InlineData("--augment hflip,crop:2")]
    [InlineData("--mean 0.5 --std 0.25")]
    [InlineData("--num-classes 10 --train-last 2")]
    [InlineData("--num-classes 10 --freeze conv*")]
    public void A_resumed_run_exports_the_uninterrupted_runs_model_bitwise(string options)
    {
        using var temp = new TempDirectory();
        string[] settings = options.Split(' ');
        string checkpoint = temp.File("run.checkpoint.pcn");
        var first = CliProcess.Run(["finetune", LeNet, .. Common, .. settings, "--steps", "2", "--checkpoint-every", "2", "--checkpoint", checkpoint, "-o", temp.File("half.onnx")]);
        Assert.True(first.ExitCode == 0, first.ToString());
        // Resumed with none of the settings: the checkpoint's are taken (the head is not replaced again, the same initializers stay frozen).
        var resumed = CliProcess.Run(["finetune", checkpoint, "--data", Data, "--steps", "4", "-o", temp.File("resumed.onnx")]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.DoesNotContain("replaced", resumed.Error + resumed.Output);
        var straight = CliProcess.Run(["finetune", LeNet, .. Common, .. settings, "--steps", "4", "-o", temp.File("straight.onnx")]);
        Assert.True(straight.ExitCode == 0, straight.ToString());

        var expected = OnnxModelFile.Load(temp.File("straight.onnx")).Graph.Initializer.OrderBy(t => t.Name).ToList();
        var actual = OnnxModelFile.Load(temp.File("resumed.onnx")).Graph.Initializer.OrderBy(t => t.Name).ToList();
        Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
        for (int i = 0; i < expected.Count; i++) Assert.True(expected[i].Equals(actual[i]), $"{options}: initializer '{expected[i].Name}' differs after resuming");
        // The run trained: the export is not the model it started from.
        var original = OnnxModelFile.Load(LeNet).Graph.Initializer.ToDictionary(t => t.Name);
        Assert.Contains(expected, t => !t.Equals(original[t.Name]));
    }

    [Fact]
    public void A_contrary_augment_on_resume_is_refused_naming_both()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.File("run.checkpoint.pcn");
        var first = CliProcess.Run(["finetune", LeNet, .. Common, "--augment", "crop:2,hflip", "--steps", "1", "--checkpoint-every", "1", "--checkpoint", checkpoint, "-o", temp.File("half.onnx")]);
        Assert.True(first.ExitCode == 0, first.ToString());

        var other = CliProcess.Run(["finetune", checkpoint, "--data", Data, "--steps", "2", "--augment", "hflip", "-o", temp.File("other.onnx")]);
        Assert.True(other.ExitCode == 1, other.ToString());
        Assert.Equal($"error: {checkpoint}: the checkpointed run has --augment hflip,crop:2; hflip would not continue it (leave --augment out to keep the checkpoint's)",
            other.Error.Trim());
        // The same augmentation spelt in another order continues the run.
        var same = CliProcess.Run(["finetune", checkpoint, "--data", Data, "--steps", "2", "--augment", "hflip,crop:2", "-o", temp.File("same.onnx")]);
        Assert.True(same.ExitCode == 0, same.ToString());
    }

    [Fact]
    public void A_run_without_augment_cannot_resume_with_it()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.File("run.checkpoint.pcn");
        var first = CliProcess.Run(["finetune", LeNet, .. Common, "--steps", "1", "--checkpoint-every", "1", "--checkpoint", checkpoint, "-o", temp.File("half.onnx")]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var augmented = CliProcess.Run(["finetune", checkpoint, "--data", Data, "--steps", "2", "--augment", "hflip", "-o", temp.File("other.onnx")]);
        Assert.True(augmented.ExitCode == 1, augmented.ToString());
        Assert.Contains("the checkpointed run has --augment (none); hflip would not continue it", augmented.Error);
    }

    [Fact]
    public void Contrary_preprocessing_on_resume_is_refused_naming_both()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.File("run.checkpoint.pcn");
        var first = CliProcess.Run(["finetune", LeNet, .. Common, "--mean", "0.5", "--std", "0.25", "--steps", "1", "--checkpoint-every", "1", "--checkpoint", checkpoint, "-o", temp.File("half.onnx")]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var other = CliProcess.Run(["finetune", checkpoint, "--data", Data, "--steps", "2", "--mean", "0.4", "--std", "0.25", "-o", temp.File("other.onnx")]);
        Assert.True(other.ExitCode == 1, other.ToString());
        Assert.Contains("the checkpointed run has the preprocessing {", other.Error);
        Assert.Contains("0.5", other.Error);
        Assert.Contains("0.4", other.Error);
        Assert.Contains("would not continue it (leave --resize, --center-crop, --mean, --std and --layout out to keep the checkpoint's)", other.Error);
    }
}
