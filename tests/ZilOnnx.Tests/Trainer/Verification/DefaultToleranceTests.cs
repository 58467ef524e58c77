using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;

namespace ZilOnnx.Tests.Trainer.Verification;

/// <summary>
/// The tolerance `finetune` and `verify` apply when none is given is no looser than the exactness bounds the tests
/// state for themselves: a default loosened past them would let the product pass steps the tests would fail.
/// </summary>
public sealed class DefaultToleranceTests
{
    [Theory]
    [InlineData(Precision.Float64, Tolerances.ExactnessFloat64)]
    [InlineData(Precision.Float32, Tolerances.ExactnessFloat32)]
    public void The_default_tolerance_is_no_looser_than_the_tests_exactness_bound(Precision precision, double bound)
    {
        double tolerance = precision.DefaultTolerance();
        Assert.True(tolerance > 0 && tolerance <= bound, $"{precision}: default tolerance {tolerance:E1}, the tests' bound {bound:E1}");
    }
}
