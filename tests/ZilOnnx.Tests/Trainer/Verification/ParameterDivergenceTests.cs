using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Verification;

/// <summary>
/// ParameterDivergence.Compare: a NaN on either side is a NaN divergence (never 0), and the two updates must name the
/// same parameters with the same shapes; computing the differences in backprop's tensors (a verified step's) changes no
/// divergence.
/// </summary>
public sealed class ParameterDivergenceTests
{
    private static Dictionary<string, Tensor> Updates(params (string Name, double[] Values)[] parameters) =>
        parameters.ToDictionary(p => p.Name, p => tensor(p.Values, ScalarType.Float64));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_nan_in_the_rules_update_gives_a_nan_divergence_for_that_parameter_only(bool overwriteBackprop)
    {
        var rule = Updates(("w", [1.0, double.NaN]), ("b", [0.5]));
        var backprop = Updates(("w", [1.0, 2.0]), ("b", [0.5]));
        var divergences = ParameterDivergence.Compare(rule, backprop, overwriteBackprop).ToDictionary(d => d.Name);
        Assert.True(double.IsNaN(divergences["w"].MaxAbs) && double.IsNaN(divergences["w"].MaxRel), divergences["w"].ToString());
        Assert.Equal(new ParameterDivergence("b", 0, 0), divergences["b"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_nan_in_backprops_update_gives_a_nan_divergence(bool overwriteBackprop)
    {
        var rule = Updates(("w", [1.0, 2.0]));
        var backprop = Updates(("w", [1.0, double.NaN]));
        var divergence = ParameterDivergence.Compare(rule, backprop, overwriteBackprop).Single();
        Assert.True(double.IsNaN(divergence.MaxRel), divergence.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_nan_where_backprops_update_is_otherwise_zero_is_still_nan(bool overwriteBackprop)
    {
        // The relative divergence divides by max|bp|; with a NaN there the "bp is zero" branch must not answer 0.
        var divergence = ParameterDivergence.Compare(Updates(("w", [0.0, 0.0])), Updates(("w", [0.0, double.NaN])), overwriteBackprop)
            .Single();
        Assert.True(double.IsNaN(divergence.MaxRel), divergence.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Finite_updates_give_the_largest_difference_relative_to_backprops_largest_element(bool overwriteBackprop)
    {
        var divergence = ParameterDivergence.Compare(Updates(("w", [1.0, -3.5])), Updates(("w", [1.0, -4.0])), overwriteBackprop).Single();
        Assert.Equal(new ParameterDivergence("w", 0.5, 0.125), divergence);
        var untouched = ParameterDivergence.Compare(Updates(("w", [1e-3])), Updates(("w", [0.0])), overwriteBackprop).Single();
        Assert.Equal(double.PositiveInfinity, untouched.MaxRel);
    }

    [Fact]
    public void Updates_that_name_different_parameters_are_an_error_naming_them()
    {
        var rule = Updates(("w", [1.0]), ("extra", [1.0]));
        var backprop = Updates(("w", [1.0]), ("left_out", [1.0]));
        var e = Assert.Throws<InvalidOperationException>(() => ParameterDivergence.Compare(rule, backprop));
        Assert.Contains("missing from the rule's update: left_out", e.Message);
        Assert.Contains("not in backprop's update: extra", e.Message);
        var fewer = Assert.Throws<InvalidOperationException>(() => ParameterDivergence.Compare(Updates(("w", [1.0])), backprop));
        Assert.Contains("left_out", fewer.Message);
    }

    [Fact]
    public void An_update_of_another_shape_is_an_error_not_a_broadcast()
    {
        using var scalar = tensor(1.0, ScalarType.Float64);
        var rule = new Dictionary<string, Tensor> { ["w"] = scalar };
        var e = Assert.Throws<InvalidOperationException>(() => ParameterDivergence.Compare(rule, Updates(("w", [1.0, 1.0]))));
        Assert.Contains("'w'", e.Message);
    }

    [Fact]
    public void Overwriting_backprops_tensors_gives_the_divergences_of_the_comparison_that_keeps_them()
    {
        // Random updates of several layouts: contiguous, transposed (not contiguous: compared out of place), a scalar,
        // an empty one. The divergences must be equal exactly: |bp - rule| and |rule - bp| round alike.
        Dictionary<string, Tensor> Backprop()
        {
            var generator = new Generator(7);
            return new()
            {
                ["conv"] = randn([4, 3, 3, 3], generator: generator),
                ["transposed"] = randn([5, 6], generator: generator).t(),
                ["scalar"] = tensor(0.25f),
                ["empty"] = zeros(0, 3),
            };
        }
        var kept = Backprop();
        var rule = kept.ToDictionary(p => p.Key, p => p.Value + 1e-3f * randn(p.Value.shape, generator: new Generator(8)));
        var expected = ParameterDivergence.Compare(rule, kept);
        var overwritten = Backprop();
        var actual = ParameterDivergence.Compare(rule, overwritten, overwriteBackprop: true);
        Assert.Equal(expected, actual);
        Assert.True(expected.Single(d => d.Name == "conv").MaxAbs > 0, "the rule's update was made to differ");
        // The contiguous one now holds bp - rule; the transposed one was compared out of place and is unchanged.
        Assert.True(overwritten["conv"].equal(kept["conv"] - rule["conv"]).all().item<bool>());
        Assert.True(overwritten["transposed"].equal(kept["transposed"]).all().item<bool>());
    }
}
