using System.CommandLine;
using System.CommandLine.Parsing;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// The command line of a run, and the command that resumes it from its checkpoint: the same command line with the
/// checkpoint in place of the model. It is derived from what was parsed rather than from a list of options, so that
/// an option added later (or one not recorded in the checkpoint's state, like --val-data or --metrics) is never dropped.
/// </summary>
public static class ResumeCommand
{
    /// <summary>Every word of the command line as parsed (response files expanded, <c>--opt=value</c> split), without the
    /// program.</summary>
    public static IReadOnlyList<string> Words(ParseResult parse) => [.. parse.Tokens.Select(t => t.Value)];

    /// <summary>
    /// The run's command line with <paramref name="checkpointPath"/> for the model argument and the
    /// <paramref name="dropped"/> options left out, quoted for a POSIX shell.
    /// </summary>
    /// <param name="dropped">Options that permit something for this run only (finetune's --force: replacing the input
    /// model, or resuming on other data), which the resume must not inherit unasked.</param>
    public static string For(ParseResult parse, Argument model, string checkpointPath, params Option[] dropped)
    {
        var modelTokens = (parse.GetResult(model)?.Tokens ?? []).ToHashSet(ReferenceEqualityComparer.Instance);
        var droppedTokens = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var option in dropped)
            if (parse.GetResult(option) is { Implicit: false } result)
            {
                if (result.IdentifierToken is { } name) droppedTokens.Add(name);
                foreach (var value in result.Tokens) droppedTokens.Add(value);
            }
        var words = parse.Tokens.Where(t => !droppedTokens.Contains(t)).Select(t => modelTokens.Contains(t) ? checkpointPath : t.Value);
        return string.Join(' ', words.Prepend("zilonnx").Select(Quote));
    }

    /// <summary>A word as a POSIX shell reads it back: as it is when it holds no special character, else in single quotes.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "@%+=:,./_-".Contains(c))
            ? word
            : "'" + word.Replace("'", @"'\''") + "'";
}
