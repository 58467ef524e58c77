using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Tests.TestSupport;

public static class SequenceDifference
{
    /// <summary>
    /// max |a_i - b_i| over two sequences that must be equally long, NaN if any difference is NaN. Zip alone stops at
    /// the shorter sequence and Enumerable.Max skips NaN, so a missing or NaN element would pass unseen.
    /// </summary>
    public static double MaxAbs(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        Assert.True(a.Count == b.Count, $"the sequences compared have {a.Count} and {b.Count} elements");
        return a.Zip(b, (x, y) => Math.Abs(x - y)).LargestOrNaN();
    }
}
