namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// The values a numeric option accepts: a test, and the same in words for the message that refuses a value
/// (`--lr must be a positive finite number, got nan`). Every range excludes NaN and, unless it says otherwise,
/// the infinities, since no option means anything at either.
/// </summary>
public sealed record NumberRange(string Words, Func<double, bool> Contains)
{
    public static NumberRange Finite { get; } = new("a finite number", double.IsFinite);
    public static NumberRange Positive { get; } = new("a positive finite number", x => x > 0 && double.IsFinite(x));
    public static NumberRange NotNegative { get; } = new("a finite number >= 0", x => x >= 0 && double.IsFinite(x));
    /// <summary>(0, 1): a share of something that leaves some of it on both sides.</summary>
    public static NumberRange OpenFraction { get; } = new("a number strictly between 0 and 1", x => x > 0 && x < 1);
    /// <summary>(0, 1]: a rate that may go the whole way but must move.</summary>
    public static NumberRange Rate { get; } = new("a number greater than 0 and at most 1", x => x > 0 && x <= 1);
    /// <summary>[0, 1): a decay that must forget, so that old terms fade.</summary>
    public static NumberRange Decay { get; } = new("a number from 0 up to, not including, 1", x => x >= 0 && x < 1);
    public static NumberRange Count { get; } = new("a positive whole number", x => x >= 1);
    public static NumberRange CountOrZero { get; } = new("0 or a positive whole number", x => x >= 0);

    public static NumberRange Above(double bound) => new($"a finite number greater than {bound}", x => x > bound && double.IsFinite(x));

    public static NumberRange Between(double low, double high, string unit = "") =>
        new($"a number from {low} to {high}{unit}", x => x >= low && x <= high);

    /// <param name="why">Said after the range, e.g. why the bound is where it is.</param>
    public static NumberRange WholeBetween(long low, long high, string why = "") =>
        new($"a whole number from {low} to {high}{why}", x => x >= low && x <= high);
}
