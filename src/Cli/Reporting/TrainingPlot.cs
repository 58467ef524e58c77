using ScottPlot;
using ZilOnnx.Converter.IO;

namespace ZilOnnx.Cli.Reporting;

/// <summary>
/// `--plot FILE.png`: three panels over the training steps: the loss, the accuracy (training batches, and the
/// held-out data where evaluated), and the per-step divergence from backprop on a log scale, where exactness
/// shows as a flat line at rounding level.
/// </summary>
public static class TrainingPlot
{
    private const int Width = 900, PanelHeight = 300;

    public static void Save(string path, TrainingHistory history, string title, double tolerance)
    {
        var figure = new Multiplot();
        figure.AddPlots(3);
        LossPanel(figure.GetPlot(0), history, title);
        AccuracyPanel(figure.GetPlot(1), history);
        DivergencePanel(figure.GetPlot(2), history, tolerance);
        byte[] png = figure.Render(Width, 3 * PanelHeight).GetImageBytes(ImageFormat.Png, 100);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    private static void LossPanel(Plot plot, TrainingHistory history, string title)
    {
        plot.Title(title);
        Line(plot, history.Steps.Select(s => ((double)s.Step, s.Loss)), "training loss (batch)");
        Points(plot, history.HeldOut.Select(h => ((double)h.Step, h.Result.Loss)), "held-out loss");
        plot.YLabel("loss");
        plot.ShowLegend();
    }

    private static void AccuracyPanel(Plot plot, TrainingHistory history)
    {
        Line(plot, history.Steps.Where(s => !double.IsNaN(s.Accuracy)).Select(s => ((double)s.Step, 100 * s.Accuracy)),
            "training accuracy (batch)");
        Points(plot, history.HeldOut.Where(h => !double.IsNaN(h.Result.Accuracy)).Select(h => ((double)h.Step, 100 * h.Result.Accuracy)),
            "held-out accuracy");
        plot.YLabel("top-1 accuracy (%)");
        plot.ShowLegend();
    }

    private static void DivergencePanel(Plot plot, TrainingHistory history, double tolerance)
    {
        var points = history.Steps.Where(s => s.MaxRelativeDivergence != null)
            .Select(s => ((double)s.Step, LogDivergenceAxis.Log10(s.MaxRelativeDivergence!.Value))).ToList();
        Line(plot, points, "max relative divergence from backprop");
        double limit = Math.Log10(tolerance);
        var line = plot.Add.HorizontalLine(limit);
        line.LinePattern = LinePattern.Dashed;
        line.LegendText = $"tolerance {tolerance:0.#E+0}";
        LogDivergenceAxis.Apply(plot, points.Select(p => p.Item2).Append(limit).ToList());
        plot.XLabel("step");
        plot.ShowLegend();
    }

    private static void Line(Plot plot, IEnumerable<(double X, double Y)> points, string label)
    {
        var list = points.ToList();
        if (list.Count == 0) return;
        var line = plot.Add.ScatterLine(list.Select(p => p.X).ToArray(), list.Select(p => p.Y).ToArray());
        line.LegendText = label;
    }

    private static void Points(Plot plot, IEnumerable<(double X, double Y)> points, string label)
    {
        var list = points.ToList();
        if (list.Count == 0) return;
        var markers = plot.Add.ScatterPoints(list.Select(p => p.X).ToArray(), list.Select(p => p.Y).ToArray());
        markers.LegendText = label;
        markers.MarkerSize = 8;
    }
}
