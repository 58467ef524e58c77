using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Tests.Trainer.Verification;

/// <summary>The maxima every verdict is taken from keep a NaN, where Enumerable.Max and MaxBy drop it.</summary>
public sealed class MaximaTests
{
    private static readonly double[] OneNaN = [1e-12, double.NaN, 3e-13];

    [Fact]
    public void Enumerable_max_drops_the_nan_which_is_why_the_helper_exists()
    {
        Assert.Equal(1e-12, OneNaN.Max());
        Assert.True(double.IsNaN(Math.Max(1e-12, double.NaN)));
    }

    [Fact]
    public void A_nan_anywhere_makes_the_largest_value_nan()
    {
        Assert.True(double.IsNaN(OneNaN.LargestOrNaN()));
        Assert.True(double.IsNaN(new[] { double.NaN, 1.0 }.LargestOrNaN()));
        Assert.True(double.IsNaN(new[] { 1.0, double.PositiveInfinity, double.NaN }.LargestOrNaN()));
    }

    [Fact]
    public void Without_nan_it_is_the_largest_value_and_zero_for_none()
    {
        Assert.Equal(1e-12, new[] { 1e-12, 3e-13 }.LargestOrNaN());
        Assert.Equal(double.PositiveInfinity, new[] { 1e-12, double.PositiveInfinity }.LargestOrNaN());
        Assert.Equal(-1.0, new[] { -2.0, -1.0 }.LargestOrNaN());
        Assert.Equal(0.0, Array.Empty<double>().LargestOrNaN());
    }

    [Fact]
    public void The_worst_divergence_is_a_nan_one_before_any_number()
    {
        ParameterDivergence[] divergences = [new("a", 1e-12, 1e-12), new("b", double.NaN, double.NaN), new("c", 1, 3e-13)];
        Assert.Equal("a", divergences.MaxBy(d => d.MaxRel)!.Name); // MaxBy passes over the NaN one
        Assert.Equal("b", divergences.Worst()!.Name);
        Assert.Equal("a", divergences.Where(d => d.Name != "b").Worst()!.Name);
        Assert.Null(Array.Empty<ParameterDivergence>().Worst());
    }
}
