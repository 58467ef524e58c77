using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// Settings that become scalars of the run's tensors (the learning rate, weight decay, noise) must be numbers of the
/// run's precision: libtorch refuses a float32 scalar over 3.4e38 only in the middle of the first step ("value cannot be
/// converted to type float without overflow"), and one under 1.4e-45 silently becomes 0. Checked while parsing, with
/// --precision as given (a resumed checkpoint that recorded float64 is taken at its word: its values fit).
/// </summary>
public static class PrecisionFit
{
    public static void Check(CommandResult command, Option<string> precision, IEnumerable<(string Name, string Typed,
        double Value)> settings)
    {
        // An option left out has no value yet while the command line is validated: then its default holds.
        string? chosen = command.GetResult(precision) is { Implicit: false } given ? given.GetValueOrDefault<string>()
            : precision.GetDefaultValue() as string;
        if (!string.Equals(chosen, "float32", StringComparison.OrdinalIgnoreCase)) return;
        foreach (var (name, typed, value) in settings)
        {
            // NaN and the infinities are the options' own ranges' to refuse.
            if (!double.IsFinite(value) || value == 0) continue;
            float single = (float)value;
            if (float.IsInfinity(single))
                command.AddError($"{name} {typed} is too large for float32, the run's precision (at most {Show(float.MaxValue)}): give " +
                    $"a smaller value or --precision float64");
            else if (single == 0)
                command.AddError($"{name} {typed} is too small for float32, the run's precision (it would be 0; the smallest is " +
                    $"{Show(float.Epsilon)}): give a larger value or --precision float64");
        }
    }

    private static string Show(float value) => value.ToString("G2", CultureInfo.InvariantCulture);
}
