using System.Globalization;
using System.Text;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>Writes an .npz's x [N, F] and y [N] as a table with a header, floats in round-trip form, for the CSV tests.</summary>
public static class CsvTables
{
    /// <param name="labelAt">The column the labels go in (default: last), between the features.</param>
    public static string Write(string path, HostTensor x, HostTensor y, char separator = ',', int? labelAt = null)
    {
        int features = (int)x.Shape[1];
        int label = labelAt ?? features;
        var text = new StringBuilder();
        var header = Enumerable.Range(0, features).Select(i => $"f{i}").ToList();
        header.Insert(label, "label");
        text.Append(string.Join(separator, header)).Append('\n');
        for (int n = 0; n < x.Shape[0]; n++)
        {
            // G9 round-trips every float32: the table holds the npz's values exactly.
            var cells = Enumerable.Range(0, features).Select(i => ((float)x.Values[n * features + i]).ToString("G9", CultureInfo.InvariantCulture)).ToList();
            cells.Insert(label, ((long)y.Values[n]).ToString(CultureInfo.InvariantCulture));
            text.Append(string.Join(separator, cells)).Append('\n');
        }
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
