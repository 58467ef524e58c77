using System.CommandLine;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>--label-column, the column of a .csv/.tsv table that holds the targets (<see cref="CsvSampleReader"/>): finetune, verify, bench
/// and eval.</summary>
public static class LabelColumnOption
{
    public static Option<string?> Create() => new(SettingFlags.Of(Setting.LabelColumn))
    {
        Description = "The column of a .csv/.tsv DATA table that holds the labels, by its header name (default: the last column); every " +
            "other column is a numeric feature",
    };
}
