namespace ZilOnnx.Cli.Benchmarking;

/// <summary>Order statistics of a sample of timings.</summary>
public static class Statistics
{
    /// <summary>The p-quantile (0..1) with linear interpolation between order statistics (NumPy's default).</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0) throw new ArgumentException("no values");
        var sorted = values.OrderBy(v => v).ToArray();
        double position = p * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }

    public static double Median(IReadOnlyCollection<double> values) => Percentile(values, 0.5);
}

/// <summary>The median and the 10th and 90th percentiles of a sample.</summary>
public sealed record Spread(double Median, double P10, double P90)
{
    public static Spread Of(IReadOnlyCollection<double> values) =>
        new(Statistics.Median(values), Statistics.Percentile(values, 0.1), Statistics.Percentile(values, 0.9));
}
