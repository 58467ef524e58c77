using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Twenty successive SGD steps: Z-IL (and relaxed Z-IL) applying their own updates reach BP's parameters
/// (the papers' point ii), on every fixture network, loss and precision.
/// </summary>
public sealed class ZilTrajectoryTests
{
    private const int Steps = 20;

    public static IEnumerable<object[]> Cases() => RuleHarness.NetworksLossesPrecisions();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Twenty_zil_steps_reach_backprops_parameters(string network, string loss, Precision precision) =>
        AssertSameTrajectory(network, loss, precision, new Zil());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Twenty_relaxed_zil_steps_reach_backprops_parameters(string network, string loss, Precision precision) =>
        AssertSameTrajectory(network, loss, precision, new PcDynamics("zil-relaxed", new PcDynamicsOptions()));

    private static void AssertSameTrajectory(string network, string loss, Precision precision, ILearningRule rule)
    {
        using var trained = TrajectoryHarness.Train(network, loss, precision, rule, Steps);
        using var reference = TrajectoryHarness.Train(network, loss, precision, new Backprop(), Steps);
        using var initial = Fixtures.Model(network, loss, precision);
        double relative = TrajectoryHarness.RelativeToUpdate(trained.Parameters, reference.Parameters, initial);
        Assert.True(relative <= Tolerances.Exactness(precision), $"{network}/{loss}/{precision}: {rule.Name} after {Steps} steps differs from BP by {relative:E3} of the update");
    }
}
