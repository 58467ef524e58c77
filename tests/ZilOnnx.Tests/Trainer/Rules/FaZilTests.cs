using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// Fully autonomous Z-IL (`fa-zil`): no schedule, one latch per error node that opens when the node first turns on.
/// It gives BP's update on every fixture network (convolutional, residual, recurrent), loss and precision, within the
/// exactness bounds of <see cref="Tolerances"/>: 1e-10 in float64 and 1e-4 in float32. The float32 bound is looser
/// because each recurrent weight's per-copy terms are summed in the dynamics' order rather than autograd's, which
/// rounds differently at about 1e-7 relative in float32 (1e-16 in float64); a wrong gate, which does not shrink in
/// float64, shows at 1e-2 or more (AblationTests).
/// </summary>
public sealed class FaZilTests
{
    public static IEnumerable<object[]> Cases() => RuleHarness.NetworksLossesPrecisions();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fa_zil_equals_backprop_on_one_step(string network, string loss, Precision precision)
    {
        using var model = Fixtures.Model(network, loss, precision);
        double divergence = RuleHarness.DivergenceOfNonZeroUpdates(model, new FaZil(), network, loss);
        Assert.True(divergence <= Tolerances.Exactness(precision), $"{network}/{loss}/{precision}: relative divergence {divergence:E3}");
    }

    [Fact]
    public void The_factory_lists_and_makes_fa_zil_and_it_is_exact()
    {
        Assert.Contains("fa-zil", RuleFactory.Names);
        var rule = Assert.IsType<FaZil>(RuleFactory.Create("fa-zil"));
        Assert.True(((ILearningRule)rule).IsExact);
        Assert.Equal("fa-zil", rule.Name);
    }

    /// <summary>
    /// Without levelling a vertex's error arrives in pieces (its skip path is shorter than its long path), and the latch
    /// opens on the first piece: fa-zil then diverges, as the papers say it must. This also shows the rule's gate is
    /// driven by the dynamics, not by a depth it could have read off the graph.
    /// </summary>
    [Fact]
    public void Without_levelling_the_latches_open_on_the_first_piece_of_an_error_and_diverge()
    {
        using var model = Fixtures.Model("residual_mlp", "mse", Precision.Float64, levelling: false);
        double divergence = RuleHarness.MaxRelativeDivergence(model, new FaZil(), "residual_mlp", "mse");
        Assert.True(divergence > Tolerances.AblationBreaks, $"divergence {divergence:E3} should exceed {Tolerances.AblationBreaks}");
    }

    /// <summary>
    /// The trap of an error that is exactly 0 when feedback arrives. With fc_mid's bias at -1000 its ReLU is off for the
    /// whole batch, so fc_mid's error is 0 at its turn and BP's update of fc_mid is 0. Its input h keeps receiving
    /// feedback through the skip connection, so one step later h has moved, fc_mid's prediction differs from its value,
    /// and its error is non-zero: a latch that watched the value alone would open then and take a term BP never has.
    /// The latch that also opens on arrival takes the zero term at the right step and stays exact.
    /// </summary>
    [Fact]
    public void An_error_that_is_zero_on_arrival_opens_the_latch_once_and_takes_no_late_term()
    {
        using var model = Fixtures.Model("residual_mlp", "mse", Precision.Float64);
        KillRelu(model, "fc_mid.bias");
        // fc_mid's ReLU is off for the whole batch: BP's update of fc_mid is exactly 0, and fa-zil must give 0 too.
        double exact = RuleHarness.DivergenceOfNonZeroUpdates(model, new FaZil(), "residual_mlp", "mse", "fc_mid.weight", "fc_mid.bias");
        Assert.True(exact <= Tolerances.Exactness(Precision.Float64), $"fa-zil with a dead layer: divergence {exact:E3}");

        var valueOnly = new PcDynamics("fa-zil, latch on value only", new PcDynamicsOptions { Gate = UpdateGate.Autonomous, LatchesOpenOnArrival = false });
        double trapped = RuleHarness.MaxRelativeDivergence(model, valueOnly, "residual_mlp", "mse");
        Assert.True(trapped > Tolerances.AblationBreaks, $"a value-only latch should take a late term: divergence {trapped:E3}");
    }

    /// <summary>
    /// `--rule fa-zil --ablate ...` breaks a condition under the autonomous latches: at half the inference rate the errors
    /// are not yet BP's when the latches open, and from a noisy start every error node is non-zero at step 0, so every
    /// latch opens at once.
    /// </summary>
    [Theory]
    [InlineData("lenet5", "gamma=0.5")]
    [InlineData("lenet5", "init-noise=0.1")]
    [InlineData("residual_mlp", "gamma=0.5")]
    [InlineData("residual_mlp", "init-noise=0.1")]
    [InlineData("rnn_tanh", "gamma=0.5")]
    [InlineData("rnn_tanh", "init-noise=0.1")]
    [InlineData("rnn_tanh", "all-copies")]
    public void Fa_zil_with_a_condition_dropped_diverges(string network, string ablation)
    {
        var rule = RuleFactory.Create("fa-zil", Ablation.Parse([ablation], seed: 1));
        Assert.Equal(UpdateGate.Autonomous, ((PcDynamics)rule).Options.Gate);
        using var model = Fixtures.Model(network, "mse", Precision.Float64);
        double divergence = RuleHarness.MaxRelativeDivergence(model, rule, network, "mse");
        Assert.True(divergence > Tolerances.AblationBreaks, $"{network} fa-zil with {ablation}: divergence {divergence:E3}");
    }

    [Fact]
    public void Fa_zil_has_no_schedule_to_shift()
    {
        var e = Assert.Throws<SettingException>(() => RuleFactory.Create("fa-zil", Ablation.Parse(["schedule-shift=1"], seed: 1)));
        Assert.Contains("no schedule", e.Message);
        Assert.Equal(["ablation", "rule"], e.Settings);
    }

    private static void KillRelu(PcnModel model, string bias)
    {
        var parameter = model.Parameters[bias];
        using var _ = no_grad();
        using var value = tensor(-1000.0, parameter.dtype, parameter.device);
        using var filled = value.expand_as(parameter);
        parameter.copy_(filled);
    }
}
