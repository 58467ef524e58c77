using System.Globalization;
using System.Text;
using ScottPlot;
using ZilOnnx.Cli.Reporting;
using ZilOnnx.Converter.IO;
using ZilOnnx.Trainer.Studies;

namespace ZilOnnx.Cli.Studies;

/// <summary>
/// The files of the studies: PREFIX.csv (the numbers) and PREFIX.png (the plot), each written atomically, so a run
/// killed half-way leaves the previous file whole. PREFIX may be given with a .csv or .png ending; it is dropped.
/// </summary>
public static class StudyFiles
{
    private const int Width = 900, Height = 500;

    public static string Prefix(string path) =>
        path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".png",
            StringComparison.OrdinalIgnoreCase) ? path[..^4] : path;

    /// <summary>Writes the sweep; returns the two paths.</summary>
    public static (string Csv, string Png) WriteSweep(string prefix, SweepSpec sweep, IReadOnlyList<StudyPoint> points, string title)
    {
        var csv = new StringBuilder("T,gamma,max_rel_divergence,max_abs_divergence,energy\n");
        foreach (var p in points)
            csv.Append(CultureInfo.InvariantCulture,
                $"{p.InferenceSteps},{R(p.Gamma)},{R(p.MaxRelativeDivergence)},{R(p.MaxAbsoluteDivergence)},{R(p.Energy)}\n");
        var plot = new Plot();
        plot.Title(title);
        // A relaxation that blew up (gamma over 2 / the energy's largest curvature) has no finite divergence: it is in the
        // CSV as NaN or Infinity and left out of the plot.
        var finite = points.Where(p => double.IsFinite(p.MaxRelativeDivergence)).ToList();
        double[] xs = finite.Select(p => sweep.IsInferenceSteps ? p.InferenceSteps : p.Gamma).ToArray();
        double[] ys = finite.Select(p => LogDivergenceAxis.Log10(p.MaxRelativeDivergence)).ToArray();
        var line = plot.Add.Scatter(xs, ys);
        line.LegendText = finite.Count == points.Count
            ? "max relative divergence of il from backprop"
            : $"max relative divergence of il from backprop ({points.Count - finite.Count} point(s) not finite: the relaxation diverged)";
        LogDivergenceAxis.Apply(plot, ys);
        plot.XLabel(sweep.IsInferenceSteps ? "inference steps T" : "inference rate gamma");
        plot.ShowLegend();
        return Write(prefix, csv.ToString(), plot);
    }

    /// <summary>Writes the energy F over the inference steps of one relaxation; returns the two paths.</summary>
    public static (string Csv, string Png) WriteEnergy(string prefix, IReadOnlyList<TracedStep> steps, string title)
    {
        var csv = new StringBuilder("step,energy\n");
        foreach (var s in steps) csv.Append(CultureInfo.InvariantCulture, $"{s.Step},{R(s.Energy)}\n");
        var plot = new Plot();
        plot.Title(title);
        // Steps after the relaxation blew up (F not finite) are in the CSV and left out of the plot.
        var finite = steps.Where(s => double.IsFinite(s.Energy)).ToList();
        var line = plot.Add.Scatter(finite.Select(s => (double)s.Step).ToArray(), finite.Select(s => s.Energy).ToArray());
        line.LegendText = "energy F (hidden errors' 1/2 ||eps||^2 + loss)";
        plot.XLabel("inference step");
        plot.YLabel("F");
        plot.ShowLegend();
        return Write(prefix, csv.ToString(), plot);
    }

    private static (string, string) Write(string prefix, string csv, Plot plot)
    {
        string csvPath = prefix + ".csv", pngPath = prefix + ".png";
        byte[] png = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.Write(csvPath, stream => stream.Write(Encoding.UTF8.GetBytes(csv)));
        AtomicFile.Write(pngPath, stream => stream.Write(png));
        return (csvPath, pngPath);
    }

    /// <summary>Round-trip ("R") formatting: the CSV holds the doubles exactly.</summary>
    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
