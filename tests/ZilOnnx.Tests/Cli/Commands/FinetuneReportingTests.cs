using System.Buffers.Binary;
using System.Text.Json;
using System.Text.RegularExpressions;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>What `zilonnx finetune` reports: held-out evaluation, progress lines, metrics, plot, notes.</summary>
public sealed class FinetuneReportingTests
{
    private static string[] LeNet(string output, params string[] more) =>
    [
        "finetune", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"), "--loss", "ce", "--lr", "0.05",
        "-o", output, .. more.Contains("--batch-size") ? more : [.. more, "--batch-size", "8"],
    ];

    [Fact]
    public void Held_out_split_metrics_and_plot_are_written_and_the_log_has_no_redrawn_lines()
    {
        using var temp = new TempDirectory();
        string plot = temp.File("curves.png"), metrics = temp.File("m.jsonl");
        var run = CliProcess.Run(LeNet(temp.File("o.onnx"), "--steps", "4", "--val-split", "0.25", "--val-every", "2", "--plot", plot, "--metrics", metrics));
        Assert.True(run.ExitCode == 0, run.ToString());

        // 32 samples, a quarter held out: 8 evaluated, 24 trained on (in batches of 8: no partial batch).
        Assert.Contains("held out: 8 samples", run.Output);
        Assert.Contains("data: ", run.Output);
        Assert.Contains(", 24 samples;", run.Output);
        Assert.Contains("held-out before training", run.Output);
        Assert.Contains("held-out after step 2", run.Output);
        Assert.Contains("held-out after step 4", run.Output);
        Assert.Matches(@"held-out top-1 \d+\.\d\d % -> \d+\.\d\d %", run.Output);
        // The tests read the output through a pipe: plain lines, never a progress bar redrawn with carriage returns.
        Assert.DoesNotContain("\r", run.Output);
        Assert.Contains("step 4/4  epoch 2", run.Output);

        var records = File.ReadAllLines(metrics).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([1, 2, 3, 4], records.Select(r => r.GetProperty("step").GetInt64()));
        Assert.Equal([1, 1, 1, 2], records.Select(r => r.GetProperty("epoch").GetInt64()));
        foreach (string key in new[] { "loss", "accuracy", "divergence", "divergence_abs", "time" })
            Assert.All(records, r => Assert.True(r.TryGetProperty(key, out _), key));
        Assert.Equal([false, true, false, true], records.Select(r => r.TryGetProperty("val_accuracy", out _)));

        AssertPng(plot, width: 900, height: 900);
    }

    [Fact]
    public void The_trainers_held_out_accuracy_is_what_onnx_runtime_measures_on_the_export()
    {
        using var temp = new TempDirectory();
        string output = temp.File("tuned.onnx");
        var run = CliProcess.Run(LeNet(output, "--steps", "3", "--val-data", Fixtures.PathOf("lenet5.ce.npz")));
        Assert.True(run.ExitCode == 0, run.ToString());
        var eval = CliProcess.Run("eval", output, "--data", Fixtures.PathOf("lenet5.ce.npz"), "--provider", "cpu");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        // Same samples, same parameters, two float32 engines (the PCN forward pass, ONNX Runtime): the same right answers
        // but for near ties, whose top-1 the engines' own rounding may flip (NearTies says why).
        string trainer = Regex.Match(run.Output, @"held-out after step 3: loss \S+  top-1 (\S+ %)").Groups[1].Value;
        string onnxRuntime = Regex.Match(eval.Output, @"top-1 (\S+ %)").Groups[1].Value;
        Assert.NotEqual("", trainer);
        Assert.NotEqual("", onnxRuntime);
        var (samples, ties) = NearTies.Find(output, Fixtures.PathOf("lenet5.ce.npz"));
        NearTies.AssertAccuraciesAgree(trainer, onnxRuntime, samples, ties.Count, "the trainer and ONNX Runtime");
    }

    [Fact]
    public void Quiet_prints_the_summary_and_notes_only()
    {
        using var temp = new TempDirectory();
        var run = CliProcess.Run(LeNet(temp.File("o.onnx"), "--steps", "2", "--batch-size", "5", "--quiet"));
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // 32 samples in batches of 5 leave a partial batch: said in a note, which quiet keeps.
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("note: 32 samples do not fill batches of 5 evenly", lines[0]);
        Assert.StartsWith("fine-tuned 2 steps", lines[1]);
    }

    [Fact]
    public void Labels_outside_the_models_classes_are_rejected_before_training_with_exit_code_2()
    {
        using var temp = new TempDirectory();
        var data = Fixtures.Arrays("lenet5.ce.npz");
        var labels = data["y"].Values.ToArray();
        labels[7] = 10;
        string bad = temp.File("bad.npz");
        NpzArchive.Write(bad, [new("x", data["x"]), new("y", new HostTensor(TensorProto.Types.DataType.Int64, data["y"].Shape, labels))]);
        string[] arguments = LeNet(temp.File("o.onnx"), "--steps", "1");
        arguments[3] = bad;
        var run = CliProcess.Run(arguments);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("bad.npz, array 'y': label 10 at index 7 is outside 0..9", run.Error);
        Assert.DoesNotContain("step 1", run.Output);
    }

    [Fact]
    public void Conflicting_or_out_of_range_held_out_options_are_usage_errors()
    {
        using var temp = new TempDirectory();
        var both = CliProcess.Run(LeNet(temp.File("o.onnx"), "--val-split", "0.1", "--val-data", Fixtures.PathOf("lenet5.ce.npz")));
        Assert.True(both.ExitCode == 1, both.ToString());
        Assert.Contains("--val-split or --val-data", both.Error);
        var range = CliProcess.Run(LeNet(temp.File("o.onnx"), "--val-split", "1.5"));
        Assert.True(range.ExitCode == 1, range.ToString());
        Assert.Contains("--val-split must be a number strictly between 0 and 1, got 1.5", range.Error);
    }

    /// <summary>The PNG signature, and the image size from the IHDR chunk that must follow it.</summary>
    internal static void AssertPng(string path, int width, int height)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.Equal("IEND", System.Text.Encoding.ASCII.GetString(bytes, bytes.Length - 8, 4));
    }
}
