using System.Text.Json;
using System.Text.Json.Serialization;
using ZilOnnx.Cli.Reporting;

namespace ZilOnnx.Cli.Evaluation;

/// <summary>One class's line of a segmentation report: pixel accuracy and IoU of the class, and its labelled pixels.</summary>
public sealed record ClassSegmentation(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("iou")] double IoU,
    [property: JsonPropertyName("count")] long Count);

/// <summary>
/// What `eval --json` prints for a segmentation model (output [N, C, H, W], labels [N, H, W]): every pixel is a
/// sample; <c>loss</c> is the loss of the training settings given (<see cref="ServedLoss"/>), <c>pixel_accuracy</c> and <c>mean_iou</c>
/// fractions in
/// [0, 1] (mean IoU over the classes that occur in labels or predictions), <c>samples</c> images, <c>pixels</c> pixels.
/// </summary>
public sealed record SegmentationReport(
    [property: JsonPropertyName("loss")] double Loss,
    [property: JsonPropertyName("pixel_accuracy")] double PixelAccuracy,
    [property: JsonPropertyName("mean_iou")] double MeanIoU,
    [property: JsonPropertyName("samples")] long Samples,
    [property: JsonPropertyName("pixels")] long Pixels,
    [property: JsonPropertyName("per_class")] IReadOnlyList<ClassSegmentation> PerClass,
    [property: JsonPropertyName("confusion")] IReadOnlyList<long[]> Confusion)
{
    public static SegmentationReport Of(ClassificationMetrics pixels, double loss, long samples, IReadOnlyList<string> names) => new(
        loss, pixels.Top1, pixels.MeanIoU, samples, pixels.Count,
        [.. Enumerable.Range(0, pixels.Classes).Select(c => new ClassSegmentation(names[c], pixels.AccuracyOf(c), pixels.IoUOf(c),
            pixels.CountOf(c)))],
        pixels.ConfusionRows());

    public string ToJson() => JsonSerializer.Serialize(this, NonFiniteJson.Options);
}
