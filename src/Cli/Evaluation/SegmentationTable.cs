using ZilOnnx.Cli.Inference;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Cli.Evaluation;

/// <summary>`eval`'s terminal report of a segmentation model: pixel accuracy, mean IoU, and per class its accuracy, IoU and
/// pixels.</summary>
public static class SegmentationTable
{
    public static void Print(string path, DataSet set, ClassificationMetrics pixels, double loss, IReadOnlyList<string> names,
        ExecutionProviderChoice provider, TimeSpan elapsed)
    {
        Console.WriteLine($"{path} on {set.Source} ({set.Count} samples, {pixels.Count} pixels, " +
            $"{provider.ToString().ToLowerInvariant()} provider)");
        Console.WriteLine($"loss {loss:F4}  pixel accuracy {pixels.Top1:P2}  mean IoU {Percent(pixels.MeanIoU)}  " +
            $"{set.Count / elapsed.TotalSeconds:F0} samples/s");
        Console.WriteLine("per class (label, name, pixel accuracy, IoU, pixels):");
        int width = Math.Max(4, names.Max(n => n.Length));
        for (int c = 0; c < pixels.Classes; c++)
            Console.WriteLine($"  {c,3}  {names[c].PadRight(width)}  {Percent(pixels.AccuracyOf(c)),8}  {Percent(pixels.IoUOf(c)),8}  " +
                $"{pixels.CountOf(c),8}");
        Console.WriteLine("confusion matrix of pixels (rows: label, columns: predicted):");
        pixels.PrintConfusion(Console.Out, width: 7);
    }

    /// <summary>A measure of a class that never occurs is printed as "-", not "NaN %".</summary>
    private static string Percent(double fraction) => double.IsNaN(fraction) ? "-" : fraction.ToString("P2");
}
