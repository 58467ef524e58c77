using System.CommandLine;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>--max-data-gb, the memory a command's data may take (<see cref="DataBudget"/>): finetune, verify, bench, eval and run.</summary>
public static class DataBudgetOption
{
    public static Option<double?> Create() => new(DataBudget.OptionName)
    {
        Description = "Most memory the data may take, in GB (10^9 bytes; default: the memory available). An array whose header declares more is refused before it is read",
    };

    /// <summary>The budget the option gives; an ArgumentException (a usage error) for a value that is not a positive, finite number.</summary>
    public static DataBudget Resolve(ParseResult parse, Option<double?> option) => DataBudget.Of(parse.GetValue(option));
}
