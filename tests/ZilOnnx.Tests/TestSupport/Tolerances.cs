using ZilOnnx.Trainer.Compute;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>
/// The exactness bounds of the issue: relative divergence from BP of at most 1e-10 in float64 and 1e-4 in
/// float32. One Z-IL update differs from BP by ~1e-16 (float64) and ~1e-8 (float32) through rounding alone
/// (docs/algorithms.md, traps), so these bounds leave room for deeper graphs while any real deviation, which does
/// not shrink in float64, is orders of magnitude above them.
/// Stated here, not read from the product's default tolerance: loosening that default must not loosen the tests
/// that judge it (ToleranceTests holds the default to these bounds).
/// </summary>
public static class Tolerances
{
    public const double ExactnessFloat64 = 1e-10;
    public const double ExactnessFloat32 = 1e-4;

    public static double Exactness(Precision precision) => precision == Precision.Float64 ? ExactnessFloat64 : ExactnessFloat32;

    /// <summary>The smallest divergence an ablation must show to count as breaking exactness.</summary>
    public const double AblationBreaks = 1e-2;
}
