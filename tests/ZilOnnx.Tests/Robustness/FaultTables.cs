using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ZilOnnx.Tests.Robustness;

/// <summary>
/// The section of docs/robustness.md on faults around a run. Its tables show each fault's time and peak memory as the
/// machine that wrote the page measured them; those cells, the losses of a diverging run within messages (which differ
/// in their last digits between CPUs) and the memory a refusal finds available are left out when the page is compared
/// (<see cref="FaultTablesTests"/> shows what still counts).
/// </summary>
internal static partial class FaultTables
{
    private const int MessageLength = 200;
    public const string Open = "<!-- faults: the last two columns are measurements, not compared -->";
    public const string Close = "<!-- end: faults -->";

    public static void Append(StringBuilder text, RunFaultRun faults)
    {
        text.AppendLine("## Faults around a run");
        text.AppendLine();
        text.AppendLine("Files a user owns, data that cannot be held, option values that make no sense, runs that diverge and checkpoints");
        text.AppendLine("that are not what was written. Each command runs as a process of its own in an empty folder holding `model.onnx`");
        text.AppendLine("(the shipped LeNet-5), `data.npz` (32 samples that fit it) and what the row names. The tests (`RunFaultTests`)");
        text.AppendLine("assert for every row: its exit code, exactly one line on stderr, starting with `error:`, no stack trace, every file");
        text.AppendLine("and link in the folder unchanged, nothing added (no output, temporary or lock file), and a peak resident memory");
        text.AppendLine("under 1 GB. *Time* (seconds, .NET start-up included) and *peak RSS* (GNU time's maximum resident set size) are");
        text.AppendLine("what the machine that wrote this page measured; they vary with the machine and are not compared, nor are the");
        text.AppendLine("memory a refusal finds available and the losses of a diverging run.");
        text.AppendLine();
        text.AppendLine(Open);
        foreach (string section in RunFaults.Sections)
        {
            text.AppendLine($"### {section}");
            text.AppendLine();
            text.AppendLine("| fault | command | exit code | message | time (s) | peak RSS (MB) |");
            text.AppendLine("|---|---|---|---|---|---|");
            foreach (var result in faults.Results.Where(r => r.Case.Section == section))
            {
                string message = RunFaultRun.Placeholder(result, result.ErrorLines.FirstOrDefault() ?? "(nothing on stderr)");
                text.AppendLine($"| {result.Case.Fault} | `zilonnx {result.Case.Arguments}` | {result.ExitCode} | `{Cell(Cut(message))}` | " +
                                $"{result.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} | {(result.PeakRssKilobytes / 1024.0).ToString("0", CultureInfo.InvariantCulture)} |");
            }
            text.AppendLine();
        }
        text.AppendLine(Close);
    }

    /// <summary>
    /// The page as compared: within the fault tables, each row without its two measured cells, and with the numbers of a
    /// diverging run's losses (in E notation, and the "N times" of their ratio) and the memory the machine has available
    /// masked.
    /// </summary>
    public static string Comparable(string page)
    {
        int start = page.IndexOf(Open, StringComparison.Ordinal), end = page.IndexOf(Close, StringComparison.Ordinal);
        if (start < 0 || end < start) return page;
        var rows = page[start..end].Split('\n').Select(line =>
        {
            if (!line.StartsWith("| ", StringComparison.Ordinal) || line.StartsWith("| fault |", StringComparison.Ordinal)) return line;
            string[] cells = line.Split(" | ");
            return LossNumber().Replace(string.Join(" | ", cells[..^2]), "#");
        });
        return page[..start] + string.Join('\n', rows) + page[end..];
    }

    [GeneratedRegex(@"\d(\.\d+)?E[+-]?\d+|\d+(\.\d+)?(?= times)|\d+(\.\d+)? [kMGT]?B(?= are available)")]
    private static partial Regex LossNumber();

    /// <summary>A message cut at <paramref name="length"/> characters, marked where it was cut.</summary>
    public static string Cut(string message, int length = MessageLength) => message.Length <= length ? message : message[..length] + "…";

    /// <summary>Text that stays in its table cell.</summary>
    public static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
