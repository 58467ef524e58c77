using System.CommandLine;
using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// Model surgery and freezing (docs/cli.md, "Transfer"): `--num-classes` replaces the classification head, `--freeze`,
/// `--train` and `--train-last` choose the parameters that train. Shared by the training commands and `inspect`.
/// </summary>
public sealed class TransferOptions
{
    public Option<int?> NumClasses { get; } = new Option<int?>("--num-classes")
    {
        Description = "Replace the layer that produces the " +
        "class scores with a new one of N outputs (torch.nn.Linear/Conv2d initialisation, seeded by --seed)"
    }
        .Within(NumberRange.Count);
    public Option<string[]> Freeze { get; } = new("--freeze")
    {
        Description = "Freeze the initializers (or the initializers of the " +
        "nodes) whose names match these globs: GLOB[,GLOB...]", AllowMultipleArgumentsPerToken = true
    };
    public Option<string[]> Train { get; } = new("--train")
    {
        Description = "Train only the initializers (or nodes' initializers) whose " +
        "names match these globs; freeze the rest: GLOB[,GLOB...]", AllowMultipleArgumentsPerToken = true
    };
    public Option<int?> TrainLast { get; } = new Option<int?>("--train-last")
    {
        Description = "Train only the K parameterized layers nearest the output; freeze the rest"
    }
        .Within(NumberRange.Count);

    public IEnumerable<Option> All => [NumClasses, Freeze, Train, TrainLast];

    public bool SelectionGiven(ParseResult parse) => !Selection(parse).TrainsAll;

    public TrainableSelection Selection(ParseResult parse) => new(Globs(parse, Freeze), Globs(parse, Train), parse.GetValue(TrainLast));

    private static List<string> Globs(ParseResult parse, Option<string[]> option) =>
        (parse.GetValue(option) ?? []).SelectMany(token => token.Split(',',
            StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
}
