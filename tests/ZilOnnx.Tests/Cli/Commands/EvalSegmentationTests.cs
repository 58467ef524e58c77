using System.Text.Json;
using Google.Protobuf;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.Converter.Onnx;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// `zilonnx eval` of a segmentation model (output [N, C, H, W], labels [N, H, W]): pixel accuracy and mean IoU,
/// checked against a hand computation. The model is a 1x1 Conv with identity weights, so its scores are the input
/// and each pixel's prediction is the channel the input sets to one.
/// </summary>
public sealed class EvalSegmentationTests
{
    // Two 2x2 images, their pixels in (n, h, w) order.
    private static readonly int[] Labels = [0, 0, 1, 1, 2, 2, 0, 1];
    private static readonly int[] Predicted = [0, 1, 1, 1, 2, 0, 0, 2];
    private static readonly string[] Names = ["background", "road", "car"];

    // Confusion (rows: label): [2 1 0], [0 2 1], [1 0 1]. Pixel accuracy: 5 of 8 on the diagonal.
    // IoU = right / (labelled + predicted - right): 2/(3+3-2), 2/(3+3-2), 1/(2+2-1); the mean is 4/9.
    private static readonly long[][] Confusion = [[2, 1, 0], [0, 2, 1], [1, 0, 1]];
    private const double PixelAccuracy = 5.0 / 8, MeanIoU = 4.0 / 9;
    private static readonly double[] IoU = [0.5, 0.5, 1.0 / 3];

    [Fact]
    public void Json_gives_pixel_accuracy_mean_iou_and_the_pixel_confusion_of_a_hand_computation()
    {
        using var temp = new TempDirectory();
        var (model, data) = Write(temp);
        var run = CliProcess.Run("eval", model, "--data", data, "--provider", "cpu", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var root = JsonDocument.Parse(run.Output).RootElement;

        Assert.Equal(PixelAccuracy, root.GetProperty("pixel_accuracy").GetDouble(), 12);
        Assert.Equal(MeanIoU, root.GetProperty("mean_iou").GetDouble(), 12);
        Assert.Equal(2, root.GetProperty("samples").GetInt64());
        Assert.Equal(8, root.GetProperty("pixels").GetInt64());
        Assert.Equal(Confusion, root.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt64()).ToArray()).ToArray());
        var perClass = root.GetProperty("per_class").EnumerateArray().ToArray();
        for (int c = 0; c < 3; c++)
        {
            // The names come from the model's zilonnx.classes metadata.
            Assert.Equal(Names[c], perClass[c].GetProperty("name").GetString());
            Assert.Equal(IoU[c], perClass[c].GetProperty("iou").GetDouble(), 12);
            Assert.Equal(Confusion[c].Sum(), perClass[c].GetProperty("count").GetInt64());
        }
    }

    [Fact]
    public void The_terminal_report_gives_pixel_accuracy_mean_iou_and_class_names()
    {
        using var temp = new TempDirectory();
        var (model, data) = Write(temp);
        var run = CliProcess.Run("eval", model, "--data", data, "--provider", "cpu");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("(2 samples, 8 pixels, cpu provider)", run.Output);
        Assert.Contains("pixel accuracy 62.50 %  mean IoU 44.44 %", run.Output);
        Assert.Matches(@"\n\s+2  car\s+50\.00 %\s+33\.33 %\s+2\n", run.Output);
    }

    [Fact]
    public void Labels_whose_height_and_width_are_not_the_outputs_are_exit_code_2()
    {
        using var temp = new TempDirectory();
        var (model, _) = Write(temp);
        string data = temp.File("wrong-masks.npz");
        NpzArchive.Write(data, new Dictionary<string, HostTensor>
        {
            ["x"] = new(DataType.Float, [2, 3, 2, 2], new double[24]),
            ["y"] = new(DataType.Int64, [2, 2, 1], new double[4]),
        });
        var run = CliProcess.Run("eval", model, "--data", data, "--provider", "cpu");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("[batch, classes, H, W] for labels [batch, H, W]", run.Error);
        Assert.StartsWith($"error: {model}: the first output has shape [2, 3, 2, 2] for labels [2, 2, 1] of {data}", run.Error);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", run.Output);
    }

    private static (string Model, string Data) Write(TempDirectory temp)
    {
        var identity = new float[9];
        for (int c = 0; c < 3; c++) identity[c * 3 + c] = 1;
        var onnx = new ModelBuilder()
            .Input("x", 2, 3, 2, 2)
            .Initializer("w", [3, 3, 1, 1], identity)
            .Node("Conv", ["x", "w"], ["scores"], "conv")
            .Output("scores", 2, 3, 2, 2)
            .Build();
        onnx.MetadataProps.Add(new StringStringEntryProto { Key = "zilonnx.classes", Value = JsonSerializer.Serialize(Names) });
        string model = temp.File("segmenter.onnx");
        File.WriteAllBytes(model, onnx.ToByteArray());

        // x[n, c, h, w] is one where c is the pixel's prediction: the identity Conv's scores are one-hot rows.
        var x = new double[2 * 3 * 4];
        for (int pixel = 0; pixel < 8; pixel++)
            x[(pixel / 4 * 3 + Predicted[pixel]) * 4 + pixel % 4] = 1;
        string data = temp.File("masks.npz");
        NpzArchive.Write(data, new Dictionary<string, HostTensor>
        {
            ["x"] = new(DataType.Float, [2, 3, 2, 2], x),
            ["y"] = new(DataType.Int64, [2, 2, 2], [.. Labels.Select(l => (double)l)]),
        });
        return (model, data);
    }
}
