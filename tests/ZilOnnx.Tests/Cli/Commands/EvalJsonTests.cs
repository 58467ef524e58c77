using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>`zilonnx eval --json` and the per-class table: the same numbers for scripts and for people, each accounting for every sample.</summary>
public sealed class EvalJsonTests
{
    private static readonly string Model = Repository.PathOf("models", "lenet5-fashion.onnx");
    private static readonly string Data = Repository.PathOf("models", "data", "fashion-mnist-subset");

    [Fact]
    public void Json_keys_agree_with_each_other_and_with_the_terminal_report()
    {
        var run = CliProcess.Run("eval", Model, "--data", Data, "--provider", "cpu", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        foreach (string key in new[] { "loss", "top1", "top5", "samples", "per_class", "confusion" })
            Assert.True(root.TryGetProperty(key, out _), $"no key {key} in {run.Output}");

        long samples = root.GetProperty("samples").GetInt64();
        Assert.Equal(1000, samples);
        double top1 = root.GetProperty("top1").GetDouble(), top5 = root.GetProperty("top5").GetDouble();
        Assert.InRange(top1, 0, 1);
        Assert.InRange(top5, top1, 1);

        var perClass = root.GetProperty("per_class").EnumerateArray().ToArray();
        var confusion = root.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt64()).ToArray()).ToArray();
        Assert.Equal(10, perClass.Length);
        Assert.Equal(10, confusion.Length);
        Assert.Equal(samples, perClass.Sum(c => c.GetProperty("count").GetInt64()));
        for (int label = 0; label < 10; label++)
        {
            long count = perClass[label].GetProperty("count").GetInt64();
            Assert.Equal(label.ToString(), perClass[label].GetProperty("name").GetString());
            Assert.Equal(count, confusion[label].Sum());
            Assert.Equal((double)confusion[label][label] / count, perClass[label].GetProperty("accuracy").GetDouble());
        }
        Assert.Equal(Enumerable.Range(0, 10).Sum(i => confusion[i][i]) / (double)samples, top1, 12);

        // The terminal's percentage is the same fraction, rounded to two decimals of a percent.
        var terminal = CliProcess.Run("eval", Model, "--data", Data, "--provider", "cpu");
        Assert.True(terminal.ExitCode == 0, terminal.ToString());
        string printed = Regex.Match(terminal.Output, @"top-1 (\d+\.\d\d) %").Groups[1].Value;
        Assert.Equal(Math.Round(100 * top1, 2), double.Parse(printed, CultureInfo.InvariantCulture));

        // The per-class table: one line per class with its name, accuracy and count.
        var rows = Regex.Matches(terminal.Output, @"^\s+(\d+)  (\S+)\s+(\d+\.\d\d) %\s+(\d+)$", RegexOptions.Multiline);
        Assert.Equal(10, rows.Count);
        for (int label = 0; label < 10; label++)
        {
            Assert.Equal(perClass[label].GetProperty("count").GetInt64(), long.Parse(rows[label].Groups[4].Value));
            Assert.Equal(Math.Round(100 * perClass[label].GetProperty("accuracy").GetDouble(), 2),
                double.Parse(rows[label].Groups[3].Value, CultureInfo.InvariantCulture));
        }
    }
}
