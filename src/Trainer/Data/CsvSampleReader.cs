using System.Globalization;
using ZilOnnx.Trainer.Settings;
using nietras.SeparatedValues;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// A table with a header row: a .csv (comma-separated) or a .tsv (tab-separated) file, read with Sep. One column holds
/// the targets (--label-column, by default the last one); every other column is a numeric feature, parsed in the
/// invariant culture and held as float32: inputs [N, F]. The targets are int64 class labels [N] when every one is a
/// non-negative integer, else float32 regression targets [N, 1].
/// Opening reads the file once without keeping it: it counts the rows and decides the targets' type, so the layouts
/// are known (and checked against the data budget) before any value is held. A cell that is not a finite number names
/// the file, its line (the header being line 1) and its column.
/// </summary>
public sealed class CsvSampleReader : ISampleReader
{

    private readonly char _separator;
    private readonly int _labelIndex;
    private readonly int[] _featureIndices;
    private readonly string[] _columns;

    private CsvSampleReader(string path, char separator, string[] columns, int labelIndex, long rows, bool integerLabels)
    {
        Origin = path;
        _separator = separator;
        _columns = columns;
        _labelIndex = labelIndex;
        _featureIndices = [.. Enumerable.Range(0, columns.Length).Where(i => i != labelIndex)];
        Inputs = new ArrayLayout("x", DataType.Float, [rows, _featureIndices.Length], sizeof(float));
        Targets = integerLabels
            ? new ArrayLayout("y", DataType.Int64, [rows], sizeof(long))
            : new ArrayLayout("y", DataType.Float, [rows, 1], sizeof(float));
    }

    public string Origin { get; }
    public string? TargetsFile => null;
    public ArrayLayout Inputs { get; }
    public ArrayLayout Targets { get; }
    public IReadOnlyList<string> Notices => [];

    /// <summary>The name of the targets' column.</summary>
    public string LabelColumn => _columns[_labelIndex];

    public static bool Recognizes(string source) =>
        (source.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || source.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase))
            && File.Exists(source);

    /// <param name="labelColumn">The header name of the targets' column; null: the last column.</param>
    public static CsvSampleReader Open(string path, string? labelColumn)
    {
        char separator = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
        using var reader = OpenReader(path, separator);
        IReadOnlyList<string> names = reader.Header.ColNames;
        if (names.Count == 0 || (names.Count == 1 && names[0].Length == 0))
            throw new DataFormatException(path, null,
                "the file is empty: expected a header row naming the columns, then one row per sample");
        if (names.Count < 2)
            throw new DataFormatException(path, null,
                $"the header names one column ('{names[0]}'): a table needs feature columns and a label column");
        int label = labelColumn is null ? names.Count - 1 : IndexOfColumn(path, names, labelColumn);

        // The first pass holds nothing: it counts the rows and finds whether every label is a class index.
        long rows = 0;
        bool integerLabels = true;
        Scan(path, reader, row =>
        {
            rows++;
            var cell = row[label].Span.Trim();
            if (integerLabels && !long.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                integerLabels = false;
                ParseFinite(path, row, label, names[label]);
            }
            return true;
        });
        if (rows == 0)
            throw new DataFormatException(path, null, "the file has a header but no rows of data");
        return new CsvSampleReader(path, separator, [.. names], label, rows, integerLabels);
    }

    public SampleBlock Read(long start, long count)
    {
        var inputs = (SampleArray<float>)SampleArray.Allocate(DataType.Float, [count, _featureIndices.Length]);
        var targets = SampleArray.Allocate(Targets.ElementType, [count, .. Targets.Shape[1..]]);
        if (count == 0) return new(inputs, targets);
        using var reader = OpenReader(Origin, _separator);
        long index = 0;
        Scan(Origin, reader, row =>
        {
            if (index >= start)
            {
                long sample = index - start;
                int f = _featureIndices.Length;
                for (int i = 0; i < f; i++)
                    inputs.Values[sample * f + i] = ParseFinite(Origin, row, _featureIndices[i], _columns[_featureIndices[i]]);
                if (targets is SampleArray<long> labels)
                    labels.Values[sample] = ParseLabel(row);
                else
                    ((SampleArray<float>)targets).Values[sample] = ParseFinite(Origin, row, _labelIndex, _columns[_labelIndex]);
            }
            index++;
            return index < start + count;
        });
        // The file changed since it was opened: fewer rows than counted must not leave zeros behind.
        if (index < start + count)
            throw new DataFormatException(Origin, null,
                $"the file holds {index} rows of data, fewer than the {Inputs.Samples} it held when opened");
        return new(inputs, targets);
    }

    public void Dispose() { }

    /// <summary>Opened through <see cref="DataFile"/>, which refuses a pipe or a device before reading could hang on it.</summary>
    private static SepReader OpenReader(string path, char separator)
    {
        try
        {
            return Sep.New(separator).Reader(o => o with
            {
                HasHeader = true,
                Unescape = true,
                DisableColCountCheck = true
            }).From(DataFile.OpenForReading(path));
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, null, $"line 1: {e.Message}", e);
        }
    }

    /// <summary>Visits the data rows until <paramref name="visit"/> returns false; a row with another column count than the header names
    /// its line.</summary>
    private static void Scan(string path, SepReader reader, Func<SepReader.Row, bool> visit)
    {
        int columns = reader.Header.ColNames.Count;
        int line = 1;
        try
        {
            foreach (var row in reader)
            {
                line = row.LineNumberFrom;
                if (row.ColCount != columns)
                    throw new DataFormatException(path, null, $"line {line}: {row.ColCount} columns, but the header names {columns}");
                if (!visit(row)) return;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, null, $"after line {line}: {e.Message}", e);
        }
    }

    private long ParseLabel(SepReader.Row row)
    {
        var cell = row[_labelIndex].Span.Trim();
        return long.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out long label)
            ? label
            : throw new DataFormatException(Origin, null,
                $"line {row.LineNumberFrom}, column '{_columns[_labelIndex]}': '{cell}' is not a class label (a non-negative integer, " +
                    $"as every label was when the file was opened)");
    }

    private static float ParseFinite(string path, SepReader.Row row, int column, string name)
    {
        var cell = row[column].Span.Trim();
        if (float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value))
            return value;
        string what = cell.Length == 0 ? "an empty cell" : $"'{cell}'";
        throw new DataFormatException(path, null, $"line {row.LineNumberFrom}, column '{name}': {what} is not a finite number");
    }

    private static int IndexOfColumn(string path, IReadOnlyList<string> names, string wanted)
    {
        for (int i = 0; i < names.Count; i++)
            if (names[i] == wanted) return i;
        throw new DataFormatException(path, null,
            $"{Setting.LabelColumn} '{wanted}' is not a column; the header names {string.Join(", ", names.Select(n => $"'{n}'"))}");
    }
}
