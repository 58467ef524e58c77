using System.CommandLine;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>--max-data-gb, the memory a command's data may take (<see cref="DataBudget"/>): finetune, verify, bench, eval and
/// run.</summary>
public static class DataBudgetOption
{
    /// <summary>Positive and finite, checked while the command line is parsed (exit code 1 before any file is read).</summary>
    public static NumberRange Range { get; } = new("a positive number of gigabytes", x => x > 0 && double.IsFinite(x));

    public static Option<double?> Create() => new Option<double?>(SettingFlags.Of(Setting.DataBudget))
    {
        Description = "Most memory the data may take, in GB (10^9 bytes; default: the memory available). An array whose header declares " +
            "more is refused before it is read",
    }.Within(Range);

    /// <summary>The budget the option gives (its range was checked while parsing; <see cref="DataBudget.Of"/> keeps its own guard for other
    /// callers).</summary>
    public static DataBudget Resolve(ParseResult parse, Option<double?> option) => DataBudget.Of(parse.GetValue(option));
}
