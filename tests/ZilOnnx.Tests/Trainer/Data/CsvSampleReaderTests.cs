using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>
/// A .csv/.tsv table of the mlp fixture's data gives bitwise the batches of its .npz; the label column can be any
/// column; a cell that is no number, an unknown label column and an empty table are errors naming the file.
/// </summary>
public sealed class CsvSampleReaderTests
{
    private const string Data = "mlp.ce.npz";

    [Theory]
    [InlineData("data.csv", ',', null)]
    [InlineData("data.tsv", '\t', null)]
    [InlineData("middle.csv", ',', 2)]
    public void A_table_gives_the_batches_of_its_npz(string file, char separator, int? labelAt)
    {
        using var temp = new TempDirectory();
        var arrays = Fixtures.Arrays(Data);
        string path = CsvTables.Write(temp.File(file), arrays["x"], arrays["y"], separator, labelAt);
        var table = DataSources.Load(path, DataSplit.Train, "x", [], labelColumn: labelAt is null ? null : "label");
        var npz = DataSources.Load(Fixtures.PathOf(Data), DataSplit.Train, "x", []);

        Assert.Equal(DataType.Float, table.Inputs.ElementType);
        Assert.Equal(npz.Inputs.Shape, table.Inputs.Shape);
        Assert.Equal(DataType.Int64, table.Targets.ElementType);
        foreach (var order in new[] { new BatchOrder(npz.Count, 8, false, 0), new BatchOrder(npz.Count, 5, true, 7) })
            for (long k = 0; k < 4; k++)
                foreach (var type in new[] { ScalarType.Float32, ScalarType.Float64 })
                {
                    var expected = npz.Prepare(order.IndicesOf(k), type);
                    var actual = table.Prepare(order.IndicesOf(k), type);
                    Assert.Equal(Bits(expected.Inputs.Values), Bits(actual.Inputs.Values));
                    Assert.Equal(Bits(expected.Targets.Values), Bits(actual.Targets.Values));
                }
    }

    [Fact]
    public void Labels_that_are_not_all_class_indices_are_regression_targets()
    {
        using var temp = new TempDirectory();
        string path = temp.File("r.csv");
        File.WriteAllText(path, "a,b,target\n1,2,0.5\n3,4,2\n");
        var set = DataSources.Load(path, DataSplit.Train, "x", []);
        Assert.Equal(DataType.Float, set.Targets.ElementType);
        Assert.Equal([2L, 1], set.Targets.Shape);
        Assert.Equal([0.5f, 2f], (float[])set.Prepare([0, 1], ScalarType.Float32).Targets.Values);
    }

    [Fact]
    public void A_cell_that_is_no_number_names_the_file_the_line_and_the_column()
    {
        using var temp = new TempDirectory();
        string path = temp.File("bad.csv");
        File.WriteAllText(path, "a,b,label\n1,2,0\n3,x7,1\n");
        var e = Assert.Throws<DataFormatException>(() => DataSources.Load(path, DataSplit.Train, "x", []));
        Assert.Equal($"{path}: line 3, column 'b': 'x7' is not a finite number", e.Message);
    }

    [Fact]
    public void A_row_with_missing_cells_names_its_line()
    {
        using var temp = new TempDirectory();
        string path = temp.File("short.csv");
        File.WriteAllText(path, "a,b,label\n1,2,0\n3,1\n");
        var e = Assert.Throws<DataFormatException>(() => DataSources.Load(path, DataSplit.Train, "x", []));
        Assert.Equal($"{path}: line 3: 2 columns, but the header names 3", e.Message);
    }

    [Fact]
    public void An_unknown_label_column_lists_the_columns()
    {
        using var temp = new TempDirectory();
        string path = temp.File("t.csv");
        File.WriteAllText(path, "a,b,label\n1,2,0\n");
        var e = Assert.Throws<DataFormatException>(() => DataSources.Load(path, DataSplit.Train, "x", [], labelColumn: "class"));
        Assert.Equal($"{path}: labelColumn 'class' is not a column; the header names 'a', 'b', 'label'", e.Message);
        Assert.Equal($"{path}: --label-column 'class' is not a column; the header names 'a', 'b', 'label'", SettingFlags.MessageOf(e));
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("a,b,label\n", "the file has a header but no rows of data")]
    public void An_empty_table_is_an_error(string text, string problem)
    {
        using var temp = new TempDirectory();
        string path = temp.File("empty.csv");
        File.WriteAllText(path, text);
        var e = Assert.Throws<DataFormatException>(() => DataSources.Load(path, DataSplit.Train, "x", []));
        Assert.StartsWith($"{path}: {problem}", e.Message);
    }

    [Fact]
    public void A_table_over_the_budget_is_refused_before_it_is_held()
    {
        using var temp = new TempDirectory();
        var arrays = Fixtures.Arrays(Data);
        string path = CsvTables.Write(temp.File("data.csv"), arrays["x"], arrays["y"]);
        var e = Assert.Throws<DataFormatException>(() => DataSources.Load(path, DataSplit.Train, "x", [], budget: DataBudget.OfBytes(64, "a test budget")));
        Assert.Contains("over the data budget of", e.Message);
    }

    [Fact]
    public void Loading_a_table_leaves_no_handle_open()
    {
        using var temp = new TempDirectory();
        string path = temp.File("t.csv");
        File.WriteAllText(path, "a,b,label\n1,2,0\n");
        DataSources.Load(path, DataSplit.Train, "x", []);
        // .NET takes a shared lock for every open reader of the file: an exclusive open fails while one is left open.
        using var exclusive = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
    }

    private static long[] Bits(Array values) => values switch
    {
        float[] f => [.. f.Select(v => (long)BitConverter.SingleToInt32Bits(v))],
        double[] d => [.. d.Select(BitConverter.DoubleToInt64Bits)],
        long[] l => l,
        _ => throw new ArgumentException(values.GetType().Name),
    };
}
