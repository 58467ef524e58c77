using ZilOnnx.Trainer.Optimizers;

namespace ZilOnnx.Tests.Trainer.Optimizers;

/// <summary>The schedules' rates at chosen steps against hand computation, and their text forms.</summary>
public sealed class LearningRateScheduleTests
{
    // Relative: the expected rates are exact or carry 17 significant digits, and Math.Pow and Math.Cos round at
    // ~1e-16, while a schedule one step off or with the wrong exponent is off by a factor of order 1.
    private const double Tolerance = 1e-12;

    private static void AssertRate(double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= Tolerance * Math.Abs(expected), $"rate {actual:R}, expected {expected:R}");

    [Theory]
    [InlineData(1, 0.2)]
    [InlineData(3, 0.2)]      // steps 1..3 run at last_epoch 0..2: StepLR has not decayed yet
    [InlineData(4, 0.02)]     // last_epoch 3 = step_size: lr0 * G
    [InlineData(6, 0.02)]
    [InlineData(7, 0.002)]
    [InlineData(31, 2e-11)]   // floor(30 / 3) = 10 decays
    public void Step_decays_by_gamma_every_n_steps(long step, double expected)
    {
        AssertRate(expected, LearningRateSchedule.Parse("step:3:0.1", 100).Rate(0.2, step));
    }

    [Theory]
    [InlineData(1, 1.0)]                    // cos 0 = 1
    [InlineData(2, 0.85355339059327376)]    // (1 + cos(pi/4)) / 2 = (2 + sqrt 2) / 4
    [InlineData(3, 0.5)]                    // cos(pi/2) = 0
    [InlineData(4, 0.14644660940672624)]    // (2 - sqrt 2) / 4
    [InlineData(5, 0.0)]                    // s - 1 = T: eta_min (cos(pi) = -1 exactly, so exactly 0)
    [InlineData(6, 0.14644660940672624)]    // past T the closed form rises again, as torch's does
    public void Cosine_follows_the_closed_form_over_the_runs_steps(long step, double expected)
    {
        AssertRate(expected, LearningRateSchedule.Parse("cosine", 4).Rate(1.0, step));
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(3, 0.3)]     // 0.1 + (0.5 - 0.1) / 2
    [InlineData(5, 0.1)]
    public void Cosine_with_a_floor_anneals_to_eta_min(long step, double expected)
    {
        AssertRate(expected, LearningRateSchedule.Parse("cosine:0.1:4", 1000).Rate(0.5, step));
    }

    [Fact]
    public void Constant_is_the_base_rate_at_every_step()
    {
        var constant = LearningRateSchedule.Parse("constant", 10);
        Assert.All(new long[] { 1, 2, 1000 }, s => Assert.Equal(0.05, constant.Rate(0.05, s)));
    }

    [Theory]
    [InlineData("constant", 300, "constant")]
    [InlineData("Step:10:0.5", 300, "step:10:0.5")]
    [InlineData("cosine", 300, "cosine:0:300")]
    [InlineData("cosine:1e-4", 300, "cosine:0.0001:300")]
    [InlineData("cosine:0:50", 300, "cosine:0:50")]
    public void The_text_form_is_canonical_with_t_filled_in(string text, long totalSteps, string canonical)
    {
        var schedule = LearningRateSchedule.Parse(text, totalSteps);
        Assert.Equal(canonical, schedule.ToString());
        Assert.Equal(schedule, LearningRateSchedule.Parse(canonical, 1));
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("step")]
    [InlineData("step:10")]
    [InlineData("step:0:0.5")]
    [InlineData("step:2.5:0.5")]
    [InlineData("step:10:-1")]
    [InlineData("cosine:x")]
    [InlineData("cosine:-0.1")]
    [InlineData("cosine:0:0")]
    [InlineData("cosine:0:10:3")]
    [InlineData("cosine:nan")]
    public void A_malformed_schedule_is_an_argument_error_naming_it(string text)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => LearningRateSchedule.Parse(text, 10));
        Assert.Contains($"'{text}'", error.Message);
    }
}
