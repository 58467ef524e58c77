using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// Range checks that System.CommandLine runs while it parses, declared with the option
/// (`new Option&lt;double&gt;("--lr") { ... }.Within(NumberRange.Positive)`): a value out of range is a usage error
/// (exit code 1, <see cref="UsageErrors"/>) before any file is read, and the message names the option, the range and
/// the value as it was typed.
/// </summary>
public static class OptionRanges
{
    public static Option<T> Within<T>(this Option<T> option, NumberRange range)
    {
        option.Validators.Add(result =>
        {
            if (Given(result) is not { } value) return;
            if (!range.Contains(value)) result.AddError($"{option.Name} must be {range.Words}, got {Typed(result)}");
        });
        return option;
    }

    /// <summary>
    /// The option's value when the command line gives it (null for a default, an absent nullable value, or one that
    /// did not parse: System.CommandLine reports that itself).
    /// </summary>
    public static double? Given(OptionResult result)
    {
        if (result.Implicit || result.Tokens.Count == 0 || result.Errors.Any()) return null;
        try
        {
            return result.GetValueOrDefault<object>() is { } value ? Convert.ToDouble(value, CultureInfo.InvariantCulture) : null;
        }
        catch (InvalidOperationException) { return null; }
    }

    /// <summary>The value as the user wrote it, which is what they will look for in their command.</summary>
    public static string Typed(OptionResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "(nothing)";
}
