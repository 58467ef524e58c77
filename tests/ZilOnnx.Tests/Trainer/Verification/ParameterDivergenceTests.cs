using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Verification;

/// <summary>
/// ParameterDivergence.Compare: a NaN on either side is a NaN divergence (never 0), and the two updates must name the
/// same parameters with the same shapes.
/// </summary>
public sealed class ParameterDivergenceTests
{
    private static Dictionary<string, Tensor> Updates(params (string Name, double[] Values)[] parameters) =>
        parameters.ToDictionary(p => p.Name, p => tensor(p.Values, ScalarType.Float64));

    [Fact]
    public void A_nan_in_the_rules_update_gives_a_nan_divergence_for_that_parameter_only()
    {
        var rule = Updates(("w", [1.0, double.NaN]), ("b", [0.5]));
        var backprop = Updates(("w", [1.0, 2.0]), ("b", [0.5]));
        var divergences = ParameterDivergence.Compare(rule, backprop).ToDictionary(d => d.Name);
        Assert.True(double.IsNaN(divergences["w"].MaxAbs) && double.IsNaN(divergences["w"].MaxRel), divergences["w"].ToString());
        Assert.Equal(new ParameterDivergence("b", 0, 0), divergences["b"]);
    }

    [Fact]
    public void A_nan_in_backprops_update_gives_a_nan_divergence()
    {
        var rule = Updates(("w", [1.0, 2.0]));
        var backprop = Updates(("w", [1.0, double.NaN]));
        var divergence = ParameterDivergence.Compare(rule, backprop).Single();
        Assert.True(double.IsNaN(divergence.MaxRel), divergence.ToString());
    }

    [Fact]
    public void A_nan_where_backprops_update_is_otherwise_zero_is_still_nan()
    {
        // The relative divergence divides by max|bp|; with a NaN there the "bp is zero" branch must not answer 0.
        var divergence = ParameterDivergence.Compare(Updates(("w", [0.0, 0.0])), Updates(("w", [0.0, double.NaN]))).Single();
        Assert.True(double.IsNaN(divergence.MaxRel), divergence.ToString());
    }

    [Fact]
    public void Finite_updates_give_the_largest_difference_relative_to_backprops_largest_element()
    {
        var divergence = ParameterDivergence.Compare(Updates(("w", [1.0, -3.5])), Updates(("w", [1.0, -4.0]))).Single();
        Assert.Equal(new ParameterDivergence("w", 0.5, 0.125), divergence);
        var untouched = ParameterDivergence.Compare(Updates(("w", [1e-3])), Updates(("w", [0.0]))).Single();
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
}
