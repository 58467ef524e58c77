using System.Globalization;

namespace ZilOnnx.Tests.Docs;

/// <summary>
/// The cells of docs/ablation.md's tables: how a number is written and how the page's cell is held to the command's.
/// Three kinds, because three kinds of number come out of the commands:
/// - exact: an exact rule's divergence (or an ablation with nothing to ablate) is written "0" and must stay 0: the
///   rules claim backprop's update to the last bit.
/// - ordinary: a finite number of a relaxation that is stable, or that blows up only after the parameters have read their
///   errors, written with three significant digits and compared within <see cref="OrdinaryTolerance"/>.
/// - diverged: a number set by rounding that a blown-up relaxation amplified. Its digits differ between CPUs (another
///   kernel rounds the last bits of a sum differently, and the blow-up multiplies that by up to 1e20), so it is written
///   "diverged (x)" with the x this page's machine printed, and a fresh run is checked only for having diverged too.
/// </summary>
internal static class AblationCells
{
    /// <summary>
    /// Ordinary cells agree within 1 %: the page shows three significant digits, and such a number moves with rounding
    /// only (float32 and float64 agree on each to 1e-5), so 1 % is far above what another CPU changes and far below
    /// what any change of the algorithm does.
    /// </summary>
    public const double OrdinaryTolerance = 0.01;

    /// <summary>
    /// A condition's cells are diverged when float32 and float64 disagree by more than this relative amount: the same
    /// seeded computation in two precisions differs by 1e-7 relative at the start, so a number that moves by over
    /// 1e-3 has had its rounding amplified 1e4-fold or more. Measured: stable cells disagree by at most 2.1e-6, diverged
    /// ones by 3.7 % to 27 %.
    /// </summary>
    public const double PrecisionDisagreement = 1e-3;

    /// <summary>
    /// A sweep point is diverged when its energy F ended above this multiple of F at the first step (or is not finite).
    /// Relaxation is gradient descent on F, which at a stable rate never raises F; an unstable one raises it
    /// geometrically (278-fold after 100 steps at the onset on the RNN, 1e24-fold on LeNet-5).
    /// </summary>
    public const double DivergedEnergyGrowth = 10;

    private const string DivergedMark = "diverged";

    public static string Format(double value) =>
        value == 0 ? "0" : double.IsFinite(value) ? value.ToString("0.00e+00", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

    public static string Format(double value, bool diverged) => diverged ? $"{DivergedMark} ({Format(value)})" : Format(value);

    public static bool PrecisionsDisagree(double float32, double float64) =>
        !double.IsFinite(float32) || !double.IsFinite(float64)
        || Math.Abs(float32 - float64) > PrecisionDisagreement * Math.Max(Math.Abs(float32), Math.Abs(float64));

    public static bool EnergyDiverged(double energy, double energyAtStart) =>
        !double.IsFinite(energy) || energy > DivergedEnergyGrowth * energyAtStart;

    /// <summary>Null when the page's cell holds the command's, else why not.</summary>
    public static string? Mismatch(string page, string now)
    {
        bool pageDiverged = page.StartsWith(DivergedMark, StringComparison.Ordinal), nowDiverged = now.StartsWith(DivergedMark, StringComparison.Ordinal);
        if (pageDiverged || nowDiverged)
            return pageDiverged == nowDiverged ? null : $"the page says {page}, the command's relaxation {(nowDiverged ? "diverged" : "did not diverge")}: {now}";
        bool numbers = double.TryParse(page, NumberStyles.Float, CultureInfo.InvariantCulture, out double u)
                       & double.TryParse(now, NumberStyles.Float, CultureInfo.InvariantCulture, out double v);
        if (!numbers) return page == now ? null : $"the page says {page}, the command prints {now}";
        if (u == 0 || v == 0) return u == v ? null : $"the page says {page} (exact), the command prints {now}";
        return Math.Abs(u - v) <= OrdinaryTolerance * Math.Max(Math.Abs(u), Math.Abs(v)) ? null
            : $"the page says {page}, the command prints {now} (over {OrdinaryTolerance:P0} apart)";
    }
}
