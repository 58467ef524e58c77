namespace ZilOnnx.Trainer.Verification;

/// <summary>
/// Maxima of divergences that a NaN cannot hide in. Enumerable.Max and MaxBy skip NaN (Comparer&lt;double&gt; orders it
/// below every number), so a parameter whose update went NaN would vanish from the verdict and verification would
/// pass; here a NaN anywhere makes the maximum NaN, which fails every "at most the tolerance" check.
/// </summary>
public static class Maxima
{
    /// <summary>The largest of <paramref name="values"/>: NaN if any is NaN, 0 when there are none.</summary>
    public static double LargestOrNaN(this IEnumerable<double> values)
    {
        double largest = double.NegativeInfinity;
        bool any = false;
        foreach (double value in values)
        {
            if (double.IsNaN(value)) return double.NaN;
            largest = any ? Math.Max(largest, value) : value;
            any = true;
        }
        return any ? largest : 0;
    }

    /// <summary>The divergence with the largest relative value, the first with a NaN if any has one; null when there are none.</summary>
    public static ParameterDivergence? Worst(this IEnumerable<ParameterDivergence> divergences)
    {
        ParameterDivergence? worst = null;
        foreach (var divergence in divergences)
        {
            if (double.IsNaN(divergence.MaxRel) || double.IsNaN(divergence.MaxAbs)) return divergence;
            if (worst == null || divergence.MaxRel > worst.MaxRel) worst = divergence;
        }
        return worst;
    }
}
