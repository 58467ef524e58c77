using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Tests.Trainer.Rules;

/// <summary>
/// `fpa`, PC under the fixed prediction assumption: at eta = 1 with n = depth moves it is backprop, and with fewer moves
/// it is not (the errors of the deepest vertices have not arrived).
/// </summary>
public sealed class FpaTests
{
    /// <summary>
    /// Bit for bit on the feed-forward networks: every parameter has one reader, whose term is one local product of the
    /// same operations autograd runs, from an error that is, after its arrival, bitwise the feedback backprop computes
    /// (at eta = 1 a move sets x_v to mu_v^ff + that feedback, held as the displacement, so eps_v is the feedback itself).
    /// On the recurrent networks to float64 rounding: a shared weight's per-copy terms are summed in the graph's order,
    /// not autograd's (measured: 1e-16 to 6e-16 relative; bound 1e-14).
    /// </summary>
    [Theory]
    [InlineData("lenet5", "ce", 0.0)]
    [InlineData("mlp", "mse", 0.0)]
    [InlineData("residual_mlp", "mse", 0.0)]
    [InlineData("rnn_tanh", "ce", 1e-14)]
    [InlineData("lstm", "mse", 1e-14)]
    public void Fpa_at_rate_one_with_depth_moves_equals_backprop(string network, string loss, double bound)
    {
        using var model = Fixtures.Model(network, loss, Precision.Float64);
        double divergence = RuleHarness.DivergenceOfNonZeroUpdates(model, new Fpa(), network, loss);
        Assert.True(divergence <= bound, $"{network}: relative divergence {divergence:E3}, bound {bound:E1}");
        Assert.True(new Fpa().IsExact);
    }

    /// <summary>
    /// With half the depth's moves the errors of the deeper half have not arrived: their parameters' terms are 0, and the
    /// update is far from backprop's (at least 0.5 relative asserted; a parameter with no term differs by 1).
    /// </summary>
    [Theory]
    [InlineData("lenet5", "ce")]
    [InlineData("rnn_tanh", "ce")]
    public void Fewer_moves_than_the_depth_are_far_from_backprop(string network, string loss)
    {
        using var model = Fixtures.Model(network, loss, Precision.Float64);
        int moves = model.Graph.MaxDepth / 2;
        var rule = new Fpa(moves);
        Assert.False(((ILearningRule)rule).IsExact);
        var batch = RuleHarness.FirstBatch(model, network, loss);
        var lossFunction = LossFactory.Create(loss);
        using var result = rule.Compute(model, batch, lossFunction);
        using var bp = new Backprop().Compute(model, batch, lossFunction);
        double divergence = ParameterDivergence.Compare(result.Updates, bp.Updates).Select(d => d.MaxRel).LargestOrNaN();
        Assert.True(divergence >= 0.5, $"{network}: relative divergence {divergence:E3}");
        Assert.Equal(moves, result.InferenceSteps);
    }
}
