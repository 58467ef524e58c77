using ScottPlot;

namespace ZilOnnx.Cli.Reporting;

/// <summary>
/// A plot's y axis of divergences from backprop on a log scale (the training plot, the IL sweeps): values are drawn
/// as log10, labelled in whole decades, so that the axis always carries at least two labels.
/// </summary>
public static class LogDivergenceAxis
{
    /// <summary>A divergence of exactly 0 (bitwise equal to backprop) has no logarithm; it is drawn at 1e-20.</summary>
    public static double Log10(double divergence) => Math.Log10(Math.Max(divergence, 1e-20));

    /// <param name="ys">The log10 values the axis must show (none: the axis keeps ScottPlot's own range and ticks).</param>
    public static void Apply(Plot plot, IReadOnlyCollection<double> ys)
    {
        plot.YLabel("divergence (log scale)");
        if (ys.Count == 0) return;
        plot.Axes.SetLimitsY(Math.Floor(ys.Min()) - 0.5, Math.Ceiling(ys.Max()) + 0.5);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
            LabelFormatter = exponent => $"1e{exponent:0}",
        };
    }
}
