using ZilOnnx.Cli.Benchmarking;
using Xunit;

namespace ZilOnnx.Tests.Cli;

/// <summary>The benchmark's percentiles are NumPy's default (linear interpolation between order statistics).</summary>
public sealed class BenchStatisticsTests
{
    [Theory]
    [InlineData(0.5, 2.5)]
    [InlineData(0.1, 1.3)]
    [InlineData(0.9, 3.7)]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 4.0)]
    public void Percentiles_interpolate_as_numpy(double p, double expected)
    {
        Assert.Equal(expected, Statistics.Percentile([4.0, 1.0, 3.0, 2.0], p), 12);
    }

    [Fact]
    public void A_spread_orders_its_percentiles()
    {
        var spread = Spread.Of([5.0, 1.0, 9.0, 3.0, 7.0]);
        Assert.Equal(5.0, spread.Median);
        Assert.True(spread.P10 <= spread.Median && spread.Median <= spread.P90);
    }
}
