using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>Z-IL and its relaxed form give BP's update, per parameter, on every fixture network, loss and precision.</summary>
public sealed class ZilExactnessTests
{
    public static IEnumerable<object[]> Cases() => RuleHarness.NetworksLossesPrecisions();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Zil_equals_backprop_on_one_step(string network, string loss, Precision precision)
    {
        using var model = Fixtures.Model(network, loss, precision);
        double divergence = RuleHarness.DivergenceOfNonZeroUpdates(model, new Zil(), network, loss);
        Assert.True(divergence <= Tolerances.Exactness(precision), $"{network}/{loss}/{precision}: relative divergence {divergence:E3}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Relaxed_zil_equals_backprop_on_one_step(string network, string loss, Precision precision)
    {
        using var model = Fixtures.Model(network, loss, precision);
        double divergence = RuleHarness.DivergenceOfNonZeroUpdates(model, new PcDynamics("zil-relaxed", new PcDynamicsOptions()), network, loss);
        Assert.True(divergence <= Tolerances.Exactness(precision), $"{network}/{loss}/{precision}: relative divergence {divergence:E3}");
    }
}
