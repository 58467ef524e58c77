using Xunit;

namespace ZilOnnx.Tests.Docs;

/// <summary>The page check of docs/ablation.md can fail: each kind of cell against what must not pass for it.</summary>
public sealed class AblationCellsTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("9.97e-01", "9.99e-01")]
    [InlineData("diverged (1.12e+10)", "diverged (1.28e+11)")]
    [InlineData("diverged (1.00e+00)", "diverged (NaN)")]
    [InlineData("`--ablate all-steps`", "`--ablate all-steps`")]
    public void Cells_that_hold(string page, string now) => Assert.Null(AblationCells.Mismatch(page, now));

    [Theory]
    [InlineData("0", "1.00e-20")] // an exact rule that is no longer exact
    [InlineData("1.00e-20", "0")]
    [InlineData("9.97e-01", "9.75e-01")] // an ordinary number 2 % off
    [InlineData("diverged (1.12e+10)", "1.12e+10")] // a relaxation that no longer blows up
    [InlineData("3.59e+01", "diverged (3.59e+01)")] // a stable number that turned chaotic
    [InlineData("`--ablate all-steps`", "`--ablate last-step`")]
    public void Cells_that_do_not(string page, string now) => Assert.NotNull(AblationCells.Mismatch(page, now));

    [Fact]
    public void Diverged_is_decided_by_disagreement_between_precisions_and_by_energy_growth()
    {
        Assert.False(AblationCells.PrecisionsDisagree(60.88508164154527, 60.88511596090715));
        Assert.True(AblationCells.PrecisionsDisagree(497.76385531601244, 394.1968142619208));
        Assert.True(AblationCells.PrecisionsDisagree(double.NaN, 1));
        Assert.False(AblationCells.EnergyDiverged(0.333, 0.388));
        Assert.True(AblationCells.EnergyDiverged(289, 1.04));
        Assert.True(AblationCells.EnergyDiverged(double.PositiveInfinity, 1.04));
    }
}
