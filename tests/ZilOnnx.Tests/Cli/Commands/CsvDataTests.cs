using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Tests.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// The program on a .csv/.tsv table: fine-tuning on the table of an .npz's data exports the model that the .npz gives,
/// byte for byte; --label-column picks a middle column; a bad cell or an unknown label column is one error line
/// naming the file, with exit code 2.
/// </summary>
public sealed class CsvDataTests
{
    private const string Model = "mlp.onnx";
    private const string Data = "mlp.ce.npz";

    [Theory]
    [InlineData("data.csv", ',', null)]
    [InlineData("data.tsv", '\t', 1)]
    public void Finetune_on_a_table_exports_the_model_of_its_npz(string file, char separator, int? labelAt)
    {
        using var temp = new TempDirectory();
        var arrays = Fixtures.Arrays(Data);
        string table = CsvTables.Write(temp.File(file), arrays["x"], arrays["y"], separator, labelAt);
        string[] labelOption = labelAt is null ? [] : ["--label-column", "label"];

        var fromTable = Finetune(table, temp.File("table.onnx"), labelOption);
        var fromNpz = Finetune(Fixtures.PathOf(Data), temp.File("npz.onnx"), []);
        Assert.True(fromTable.ExitCode == 0, fromTable.ToString());
        Assert.True(fromNpz.ExitCode == 0, fromNpz.ToString());
        Assert.Equal(File.ReadAllBytes(temp.File("npz.onnx")), File.ReadAllBytes(temp.File("table.onnx")));
    }

    [Fact]
    public void A_bad_cell_is_one_error_line_naming_the_file_line_and_column()
    {
        using var temp = new TempDirectory();
        var arrays = Fixtures.Arrays(Data);
        string table = CsvTables.Write(temp.File("data.csv"), arrays["x"], arrays["y"]);
        var lines = File.ReadAllLines(table);
        lines[5] = "oops" + lines[5][lines[5].IndexOf(',')..];
        File.WriteAllLines(table, lines);

        string line = AssertBadInput(Finetune(table, temp.File("o.onnx"), []), table);
        Assert.Equal($"error: {table}: line 6, column 'f0': 'oops' is not a finite number", line);
        Assert.False(File.Exists(temp.File("o.onnx")));
    }

    [Fact]
    public void An_unknown_label_column_lists_the_header_in_eval()
    {
        using var temp = new TempDirectory();
        var arrays = Fixtures.Arrays(Data);
        string table = CsvTables.Write(temp.File("data.csv"), arrays["x"], arrays["y"]);
        var run = CliProcess.Run("eval", Fixtures.PathOf(Model), "--data", table, "--label-column", "class", "--provider", "cpu");
        string line = AssertBadInput(run, table);
        Assert.Contains("--label-column 'class' is not a column; the header names 'f0', 'f1'", line);
    }

    [Fact]
    public void Eval_on_a_table_reports_what_its_npz_gives()
    {
        using var temp = new TempDirectory();
        var arrays = Fixtures.Arrays(Data);
        string table = CsvTables.Write(temp.File("data.csv"), arrays["x"], arrays["y"], labelAt: 3);
        var fromTable = CliProcess.Run("eval", Fixtures.PathOf(Model), "--data", table, "--label-column", "label", "--provider", "cpu");
        var fromNpz = CliProcess.Run("eval", Fixtures.PathOf(Model), "--data", Fixtures.PathOf(Data), "--provider", "cpu");
        Assert.True(fromTable.ExitCode == 0, fromTable.ToString());
        // The first line names the data file, the second ends in a throughput: the rest (loss, accuracy, confusion) is the same.
        string[] Lines(CliProcess.Result run) => run.Output.Split('\n')[1..];
        Assert.Equal(Lines(fromNpz)[0].Split("  ")[..3], Lines(fromTable)[0].Split("  ")[..3]);
        Assert.Equal(Lines(fromNpz)[1..], Lines(fromTable)[1..]);
    }

    [Fact]
    public void A_label_column_for_data_without_columns_is_a_usage_error()
    {
        using var temp = new TempDirectory();
        var run = Finetune(Fixtures.PathOf(Data), temp.File("o.onnx"), ["--label-column", "label"]);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("--label-column picks a column of a .csv or .tsv table", run.Error);
    }

    [Fact]
    public void A_training_table_takes_held_out_data_of_another_kind()
    {
        using var temp = new TempDirectory();
        var arrays = Fixtures.Arrays(Data);
        string table = CsvTables.Write(temp.File("data.csv"), arrays["x"], arrays["y"], labelAt: 0);
        var run = Finetune(table, temp.File("o.onnx"), ["--label-column", "label", "--val-data", Fixtures.PathOf(Data)]);
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    private static CliProcess.Result Finetune(string data, string output, string[] extra) =>
        CliProcess.Run(["finetune", Fixtures.PathOf(Model), "--data", data, "--no-shuffle", "--steps", "3", "--batch-size", "8", "-o", output, .. extra]);

    private static string AssertBadInput(CliProcess.Result run, string file)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {file}", line);
        return line;
    }
}
