using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// What System.CommandLine finds wrong with a command line, said as every other usage error is: one line on stderr
/// starting with `error:`, exit code 1. Its own messages name .NET types (`as expected type 'System.Int32'`), run over
/// several lines and come with the whole help text; here a value that does not parse is said in words
/// (`--batch-size expects a whole number, got '1.5'`), and several problems share the one line.
/// </summary>
public static partial class UsageErrors
{
    public static int Report(ParseResult parse, TextWriter error)
    {
        var problems = parse.Errors.Select(e => Describe(e, parse)).Distinct().ToList();
        // `zilonnx finetun`: the misspelt command says more than "no command was given".
        if (problems.Count > 1) problems.Remove(NoCommand);
        error.WriteLine($"error: {string.Join("; ", problems)}");
        return ExitCodes.Usage;
    }

    public static string Describe(ParseError error, ParseResult parse)
    {
        var option = OptionOf(error.SymbolResult);
        if (option != null && Unparsable(option) is { } token)
            return $"{option.Option.Name} expects {KindOf(option.Option.ValueType, token)}, got '{token}'";
        string message = OneLine(error.Message);
        if (option != null && NotAmong().Match(message) is { Success: true } value)
            return $"{option.Option.Name} '{value.Groups[1].Value}' is not one of {string.Join(", ", value.Groups[2].Value.Split(' '))}";
        if (RequiredOption().Match(message) is { Success: true } required) return $"{required.Groups[1].Value} is required";
        if (Repeated().Match(message) is { Success: true } repeated) return $"{repeated.Groups[1].Value} takes one value, and " +
            $"{repeated.Groups[2].Value} were given";
        if (Unrecognized().Match(message) is { Success: true } unknown)
            return $"'{unknown.Groups[1].Value}' is not a command, option or argument of `{CommandPath(parse)}` (see " +
                $"`{CommandPath(parse)} --help`)";
        if (message == "Required command was not provided") return NoCommand;
        return message;
    }

    private const string NoCommand = "give a command (see `zilonnx --help`)";

    /// <summary>The kind of value a type takes, in words; the bounds of an int where the token is a whole number too large for
    /// one.</summary>
    public static string KindOf(Type type, string token) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) && WholeNumber().IsMatch(token) => $"a whole number from {int.MinValue} to {int.MaxValue}",
        var t when t == typeof(int) => "a whole number",
        var t when t == typeof(long) => "a whole number",
        var t when t == typeof(double) || t == typeof(float) => "a number (e.g. 0.01 or 1e-3)",
        var t when t == typeof(bool) => "true or false",
        _ => "a value",
    };

    private static OptionResult? OptionOf(SymbolResult? result) => result switch
    {
        OptionResult option => option,
        ArgumentResult { Parent: OptionResult option } => option,
        _ => null,
    };

    /// <summary>The first token of the option that its type cannot hold, or null when they all parse.</summary>
    private static string? Unparsable(OptionResult option)
    {
        var type = Nullable.GetUnderlyingType(option.Option.ValueType) ?? option.Option.ValueType;
        Func<string, bool>? parses =
            type == typeof(int) ? t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
            : type == typeof(long) ? t => long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
            : type == typeof(double) ? t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            : type == typeof(bool) ? t => bool.TryParse(t, out _)
            : null;
        return parses == null ? null : option.Tokens.Select(t => t.Value).FirstOrDefault(t => !parses(t));
    }

    private static string CommandPath(ParseResult parse) => string.Join(' ', new[] { "zilonnx",
        HelpExamples.PathOf(parse) }.Where(p => p.Length > 0));

    /// <summary>System.CommandLine lists allowed values on lines of their own, indented by tabs.</summary>
    private static string OneLine(string message) => Whitespace().Replace(message, " ").Trim().TrimEnd('.');

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^[+-]?[0-9]+$")]
    private static partial Regex WholeNumber();

    [GeneratedRegex(@"^Argument '(.*)' not recognized\. Must be one of: (.*)$")]
    private static partial Regex NotAmong();

    [GeneratedRegex(@"^Option '(.+)' expects a single argument but (\d+) were provided$")]
    private static partial Regex Repeated();

    [GeneratedRegex(@"^Option '(.+)' is required$")]
    private static partial Regex RequiredOption();

    [GeneratedRegex(@"^Unrecognized command or argument '(.*)'$")]
    private static partial Regex Unrecognized();
}
