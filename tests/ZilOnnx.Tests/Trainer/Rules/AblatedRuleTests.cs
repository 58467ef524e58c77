using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// `--ablate` with `--rule il` changes il's own relaxation (<see cref="AblatedRule"/>): gamma=G is il at rate G, bitwise,
/// and init-noise moves il's start; neither silently runs the scheduled dynamics of zil-relaxed.
/// </summary>
public sealed class AblatedRuleTests
{
    private static double Divergence(ILearningRule rule)
    {
        using var model = Fixtures.Model("mlp", "mse", Precision.Float64);
        return RuleHarness.MaxRelativeDivergence(model, rule, "mlp", "mse");
    }

    [Fact]
    public void Il_with_an_ablated_gamma_is_il_at_that_rate_bitwise()
    {
        var ablated = RuleFactory.Create("il", Ablation.Parse(["gamma=0.5"], seed: 1), inferenceSteps: 7);
        Assert.Equal(Divergence(new Il(7, 0.5)), Divergence(ablated));
        Assert.NotEqual(Divergence(RuleFactory.Create("zil-relaxed", Ablation.Parse(["gamma=0.5"], seed: 1))), Divergence(ablated));
    }

    [Fact]
    public void Il_with_a_noisy_start_moves_il_s_update_and_none_is_il_itself()
    {
        double il = Divergence(new Il(7, 0.1));
        Assert.Equal(il, Divergence(RuleFactory.Create("il", Ablation.Parse(["init-noise=0"], seed: 1), inferenceSteps: 7)));
        Assert.NotEqual(il, Divergence(RuleFactory.Create("il", Ablation.Parse(["init-noise=0.1"], seed: 1), inferenceSteps: 7)));
    }

    [Fact]
    public void Backprop_and_unknown_rules_refuse_an_ablation()
    {
        var e = Assert.Throws<ZilOnnx.Trainer.Settings.SettingException>(() => RuleFactory.Create("bp", Ablation.Parse(["gamma=0.5"], seed: 1)));
        Assert.Equal(["ablation", "rule"], e.Settings);
    }
}
