using ZilOnnx.Trainer.Optimizers;
using static ZilOnnx.Tests.Trainer.Optimizers.OptimizerSteps;

namespace ZilOnnx.Tests.Trainer.Optimizers;

/// <summary>
/// SGD, momentum and Adam, with weight decay and with each learning-rate schedule, against values computed by
/// hand from torch.optim's formulas (docs/cli.md), on <see cref="OptimizerSteps"/>' three steps; lr 0.1.
/// </summary>
public sealed class OptimizerStepTests
{
    [Fact]
    public void Sgd_adds_the_weight_decay_term_to_the_gradient()
    {
        // g = grad + 0.01 theta. Step 1: g = [0.51, -1.02], theta = [1, -2] - 0.1 g = [0.949, -1.898].
        // Step 2: g = [0.25949, 0.48102], theta = [0.923051, -1.946102]. Step 3 likewise.
        AssertTrajectory([[0.949, -1.898], [0.923051, -1.946102], [1.022127949, -1.956655898]],
            Run(OptimizerFactory.Create("sgd", 0.1, weightDecay: 0.01)));
    }

    [Fact]
    public void Momentum_accumulates_the_decayed_gradient()
    {
        // b1 = g1 = [0.51, -1.02]; b2 = 0.9 b1 + g2 = [0.71849, -0.43698], theta2 = [0.949, -1.898] - 0.1 b2.
        AssertTrajectory([[0.949, -1.898], [0.877151, -1.854302], [0.911609749, -1.825619498]],
            Run(OptimizerFactory.Create("momentum", 0.1, weightDecay: 0.01)));
    }

    [Fact]
    public void Momentum_takes_the_momentum_it_is_given()
    {
        // mu = 0.5, no decay: b = [0.5, -1], [0.5, 0], [-0.75, 0.125]; theta -= 0.1 b.
        AssertTrajectory([[0.95, -1.9], [0.9, -1.9], [0.975, -1.9125]],
            Run(OptimizerFactory.Create("momentum", 0.1, momentum: 0.5)));
    }

    [Fact]
    public void Adam_applies_weight_decay_to_the_gradient_before_the_moments_not_decoupled()
    {
        // g = grad + 0.1 theta, then m, v and the bias-corrected step of torch.optim.Adam (not AdamW).
        // Step 1: g = [0.6, -1.2]; m/(1 - b1) = g and v/(1 - b2) = g^2, so theta -= 0.1 g / (|g| + 1e-8).
        AssertTrajectory([[0.9000000016666666, -1.9000000008333333], [0.80500976586131928, -1.8537472646427606],
            [0.81209826077867662, -1.8149250153848371]], Run(OptimizerFactory.Create("adam", 0.1, weightDecay: 0.1)));
    }

    [Fact]
    public void Adam_without_weight_decay_keeps_torchs_defaults()
    {
        AssertTrajectory([[0.90000000199999996, -1.900000001], [0.80678204047746167, -1.8733662973709030],
            [0.82741774288541076, -1.8600103192973723]], Run(OptimizerFactory.Create("adam", 0.1)));
    }

    [Fact]
    public void A_step_schedule_multiplies_the_rate_every_n_steps()
    {
        // step:2:0.5: lr = 0.1, 0.1, 0.05.
        AssertTrajectory([[0.95, -1.9], [0.925, -1.95], [0.975, -1.95625]],
            Run(OptimizerFactory.Create("sgd", 0.1, schedule: LearningRateSchedule.Parse("step:2:0.5", 3))));
    }

    [Fact]
    public void A_cosine_schedule_over_the_run_anneals_the_rate()
    {
        // cosine over T = 3 steps: lr = 0.1 (1 + cos(pi (s - 1) / 3)) / 2 = 0.1, 0.075, 0.025.
        AssertTrajectory([[0.95, -1.9], [0.93125, -1.9375], [0.95625, -1.940625]],
            Run(OptimizerFactory.Create("sgd", 0.1, schedule: LearningRateSchedule.Parse("cosine", 3))));
    }

    [Fact]
    public void Momentum_with_decay_follows_a_cosine_schedule_with_a_floor()
    {
        // cosine:0.01:3: lr = 0.01 + 0.09 (1, 0.75, 0.25) = 0.1, 0.0775, 0.0325, on the buffers above.
        AssertTrajectory([[0.949, -1.898], [0.893317025, -1.86413405], [0.904510864466875, -1.85480904143375]],
            Run(OptimizerFactory.Create("momentum", 0.1, weightDecay: 0.01, schedule: LearningRateSchedule.Parse("cosine:0.01:3", 99))));
    }

    [Theory]
    [InlineData("cosine", 0.82875732481265612, -1.8653104486904038, 0.83049932132873471, -1.8555904355570613)]
    [InlineData("step:2:0.5", 0.80500976586131928, -1.8537472646427606, 0.80855401331999795, -1.8343361400137988)]
    public void Adam_with_decay_follows_each_schedule(string schedule, double theta2a, double theta2b, double theta3a, double theta3b)
    {
        // The schedule scales Adam's step size only; the moments are the same as without it.
        AssertTrajectory([[0.9000000016666666, -1.9000000008333333], [theta2a, theta2b], [theta3a, theta3b]],
            Run(OptimizerFactory.Create("adam", 0.1, weightDecay: 0.1, schedule: LearningRateSchedule.Parse(schedule, 3))));
    }

    [Theory]
    [InlineData("sgd", -1.0, 0.9)]
    [InlineData("adam", double.NaN, 0.9)]
    [InlineData("momentum", 0.0, -0.5)]
    public void Negative_or_undefined_hyperparameters_are_rejected(string optimizer, double weightDecay, double momentum)
    {
        Assert.ThrowsAny<ArgumentException>(() => OptimizerFactory.Create(optimizer, 0.1, momentum, weightDecay));
    }
}
