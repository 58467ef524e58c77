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
    /// <summary>Every word of the command line as parsed (response files expanded, <c>--opt=value</c> split), without the program.</summary>
    public static IReadOnlyList<string> Words(ParseResult parse) => [.. parse.Tokens.Select(t => t.Value)];
}
