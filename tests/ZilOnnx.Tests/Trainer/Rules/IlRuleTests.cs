using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using Xunit;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Classic inference learning (`il`): relaxation for T steps at rate gamma, then every parameter's term from the
/// last step's errors. It approximates backprop and is not exact, which these tests show from both sides.
/// </summary>
public sealed class IlRuleTests
{
    [Theory]
    [InlineData(1, 0.1)]
    [InlineData(Il.DefaultInferenceSteps, Il.DefaultGamma)]
    public void Il_diverges_from_backprop(int inferenceSteps, double gamma)
    {
        using var model = Fixtures.Model("mlp", "mse", Precision.Float64);
        double divergence = RuleHarness.MaxRelativeDivergence(model, new Il(inferenceSteps, gamma), "mlp", "mse");
        Assert.True(divergence > Tolerances.AblationBreaks, $"il T={inferenceSteps} gamma={gamma}: divergence {divergence:E3} should exceed {Tolerances.AblationBreaks}");
    }

    /// <summary>
    /// With one inference step only the output's error is non-zero when the parameters take their terms: the
    /// output layer's update is exactly backprop's and every other parameter's is zero.
    /// </summary>
    [Fact]
    public void With_one_step_only_the_output_layer_learns_and_it_learns_as_backprop()
    {
        using var model = Fixtures.Model("mlp", "mse", Precision.Float64);
        var data = Fixtures.Data("mlp", "mse");
        var batch = data.Take(new BatchOrder(data.Count, RuleHarness.BatchSize, shuffle: false, seed: 0).IndicesOf(0), model.DType, model.Device);
        var loss = new MeanSquaredErrorLoss();
        using var il = new Il(1, 0.1).Compute(model, batch, loss);
        using var bp = new Backprop().Compute(model, batch, loss);
        // BP moves every layer, so il's zeros below are il's own and fc3's match is not two zeros.
        RuleHarness.AssertBackpropUpdatesAreNonZero(bp.Updates);
        var divergences = ParameterDivergence.Compare(il.Updates, bp.Updates).ToDictionary(d => d.Name);
        Assert.True(divergences["fc3.weight"].MaxRel <= Tolerances.Exactness(Precision.Float64), $"fc3.weight: {divergences["fc3.weight"].MaxRel:E3}");
        Assert.True(divergences["fc3.bias"].MaxRel <= Tolerances.Exactness(Precision.Float64), $"fc3.bias: {divergences["fc3.bias"].MaxRel:E3}");
        foreach (string name in new[] { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" })
            Assert.Equal(0.0, il.Updates[name].abs().max().item<double>());
    }

    [Fact]
    public void The_factory_makes_il_with_its_settings_and_only_il_is_inexact()
    {
        var il = Assert.IsType<Il>(RuleFactory.Create("il", inferenceSteps: 7, gamma: 0.25));
        Assert.Equal(7, il.InferenceSteps);
        Assert.Equal(0.25, il.Gamma);
        Assert.False(((ILearningRule)il).IsExact);
        foreach (string name in new[] { "bp", "zil", "zil-relaxed" }) Assert.True(RuleFactory.Create(name).IsExact, name);
        Assert.Contains("il", RuleFactory.Names);
    }

    [Theory]
    [InlineData(0, 0.1, "inferenceSteps")]
    [InlineData(-3, 0.1, "inferenceSteps")]
    [InlineData(20, 0.0, "gamma")]
    [InlineData(20, -0.1, "gamma")]
    [InlineData(20, 1.5, "gamma")]
    [InlineData(20, double.NaN, "gamma")]
    public void Bad_settings_are_usage_errors(int inferenceSteps, double gamma, string named)
    {
        var e = Assert.Throws<SettingException>(() => RuleFactory.Create("il", inferenceSteps: inferenceSteps, gamma: gamma));
        Assert.Equal([named], e.Settings);
        Assert.StartsWith(named, e.Message);
    }
}
