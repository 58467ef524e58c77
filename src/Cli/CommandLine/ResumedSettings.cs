using System.CommandLine;
using ZilOnnx.Trainer.Checkpoints;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// The settings of a run that resumes a checkpoint. Every setting that shapes a run (rule, loss, optimizer and
/// its parameters, batch size, data order, seed, precision, held-out split) continues the checkpointed run: an
/// option left out takes the checkpoint's value, and one given with another value is a usage error naming both,
/// rather than a run that silently stops continuing the one it resumes. Without a checkpoint, the options rule.
/// </summary>
public sealed class ResumedSettings(ParseResult parse, CheckpointState? resumed, string modelPath)
{
    public CheckpointState? Resumed => resumed;

    public T Get<T>(Option<T> option, Func<CheckpointState, T> recorded) =>
        resumed == null ? parse.GetValue(option)! : Continue(option, parse.GetValue(option)!, recorded(resumed), IsGiven(option));

    /// <summary>A value the command line gives (explicitly or not) against the one the checkpoint recorded.</summary>
    public T Continue<T>(Option option, T given, T recorded, bool explicitlyGiven)
    {
        if (!explicitlyGiven) return recorded;
        bool same = given is string a && recorded is string b ? a.Equals(b, StringComparison.OrdinalIgnoreCase) : EqualityComparer<T>.Default.Equals(given, recorded);
        return same ? recorded
            : throw new ArgumentException($"{modelPath}: the checkpointed run has {option.Name} {Show(recorded)}; {Show(given)} would not continue it " +
                                          $"(leave {option.Name} out to keep the checkpoint's)");
    }

    public bool IsGiven(Option option) => parse.GetResult(option) is { Implicit: false };

    private static string Show<T>(T value) => value?.ToString() ?? "(none)";
}
