using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Exactness tested from the other side: dropping any one Z-IL condition (docs/algorithms.md, traps) makes the
/// relaxed PC dynamics diverge from BP by more than 1e-2 relative, in float64, so it is not rounding.
/// </summary>
public sealed class AblationTests
{
    public static IEnumerable<object[]> ConditionAblations() =>
        from network in new[] { "mlp", "lenet5", "cnn_features", "residual_mlp" }
        from ablation in new[] { "gamma=0.5", "schedule-shift=1", "schedule-shift=-1", "init-noise=0.1", "all-steps", "last-step" }
        select new object[] { network, ablation };

    [Theory]
    [MemberData(nameof(ConditionAblations))]
    public void Dropping_a_condition_breaks_exactness(string network, string ablation)
    {
        var ablated = Ablation.Parse([ablation], seed: 1);
        using var model = Fixtures.Model(network, "mse", Precision.Float64);
        double divergence = RuleHarness.MaxRelativeDivergence(model, new PcDynamics(ablation, ablated.Dynamics), network, "mse");
        Assert.True(divergence > Tolerances.AblationBreaks, $"{network} with {ablation}: divergence {divergence:E3} should exceed {Tolerances.AblationBreaks}");
    }

    /// <summary>On recurrent networks, every condition and the two ways of mishandling shared weights (docs/algorithms.md, traps).</summary>
    public static IEnumerable<object[]> RecurrentAblations() =>
        from network in new[] { "rnn_tanh", "lstm", "gru", "rnn_unrolled" }
        from ablation in new[] { "gamma=0.5", "schedule-shift=1", "schedule-shift=-1", "init-noise=0.1", "all-steps", "last-step", "immediate-shared", "all-copies" }
        select new object[] { network, ablation };

    [Theory]
    [MemberData(nameof(RecurrentAblations))]
    public void Dropping_a_condition_breaks_exactness_on_a_recurrent_network(string network, string ablation)
    {
        // immediate-shared applies each copy's term with the step the acceptance runs use (lr 0.05).
        var ablated = Ablation.Parse([ablation], seed: 1, learningRate: 0.05);
        using var model = Fixtures.Model(network, "mse", Precision.Float64);
        double divergence = RuleHarness.MaxRelativeDivergence(model, new PcDynamics(ablation, ablated.Dynamics), network, "mse");
        Assert.True(divergence > Tolerances.AblationBreaks, $"{network} with {ablation}: divergence {divergence:E3} should exceed {Tolerances.AblationBreaks}");
    }

    [Theory]
    [InlineData("mse")]
    [InlineData("ce")]
    public void Relaxed_dynamics_without_levelling_diverge_on_a_residual_graph(string loss)
    {
        using var model = Fixtures.Model("residual_mlp", loss, Precision.Float64, levelling: false);
        double divergence = RuleHarness.MaxRelativeDivergence(model, new PcDynamics("no-levelling", new PcDynamicsOptions()), "residual_mlp", loss);
        Assert.True(divergence > Tolerances.AblationBreaks, $"residual_mlp/{loss} without levelling: divergence {divergence:E3}");
    }

    [Fact]
    public void Scheduled_zil_is_exact_even_without_levelling_because_it_visits_vertices_in_schedule_order()
    {
        using var model = Fixtures.Model("residual_mlp", "mse", Precision.Float64, levelling: false);
        double divergence = RuleHarness.DivergenceOfNonZeroUpdates(model, new Zil(), "residual_mlp", "mse");
        Assert.True(divergence <= Tolerances.Exactness(Precision.Float64), $"divergence {divergence:E3}");
    }
}
