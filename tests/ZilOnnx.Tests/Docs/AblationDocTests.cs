using System.Globalization;
using System.Text;
using System.Text.Json;
using ZilOnnx.Tests.TestSupport;
using Xunit;

namespace ZilOnnx.Tests.Docs;

/// <summary>
/// docs/ablation.md's tables are what the commands it shows print. This test runs every one of them (the real program,
/// as a user would) and compares each cell with the page; `ZILONNX_UPDATE_DOCS=1` rewrites the tables (between their
/// `<!-- generated: NAME -->` and `<!-- end: NAME -->` markers) and the plots in docs/ablation/ instead.
/// Cells are compared by kind (<see cref="AblationCells"/>): exact cells exactly, ordinary numbers within 1 %, and the
/// numbers of relaxations that blew up, whose digits depend on the CPU, only for having diverged.
/// Every command is seeded (--no-shuffle, --seed 0 for init-noise, --threads 1).
/// </summary>
public sealed class AblationDocTests
{
    private const string Common = "--loss ce --batch-size 8 --no-shuffle --threads 1";

    private sealed record ModelCase(string Label, string Model, string Data);

    private static readonly ModelCase[] Models =
    [
        new("CNN (LeNet-5)", "models/lenet5-fashion.onnx", "models/data/fashion-mnist-subset"),
        new("RNN (28 steps)", "models/rnn-fashion-rows.onnx", "models/data/fashion-mnist-subset"),
        new("residual MLP", "tests/fixtures/residual_mlp.onnx", "tests/fixtures/residual_mlp.ce.npz"),
    ];

    private static readonly string[] Conditions =
    [
        "--rule zil", "--rule fa-zil", "--ablate gamma=0.5", "--ablate init-noise=0.1", "--ablate schedule-shift=1", "--ablate no-levelling",
        "--ablate all-steps", "--ablate last-step", "--ablate immediate-shared", "--ablate all-copies",
    ];

    private static readonly string[] Precisions = ["float32", "float64"];

    private sealed record Sweep(string Name, string Model, string Data, string Arguments, int[]? ShownT);

    private static readonly Sweep[] Sweeps =
    [
        new("lenet5-il-T", "models/lenet5-fashion.onnx", "models/data/fashion-mnist-subset", "--gamma 0.02 --sweep T=1:2000:10", [1, 11, 101, 201, 501, 1001, 1501, 2000]),
        new("lenet5-il-gamma", "models/lenet5-fashion.onnx", "models/data/fashion-mnist-subset", "--inference-steps 100 --sweep gamma=0.01:0.1:0.01", null),
        new("rnn-il-T", "models/rnn-fashion-rows.onnx", "models/data/fashion-mnist-subset", "--gamma 0.1 --sweep T=1:200", [1, 2, 5, 10, 20, 50, 100, 200]),
        new("rnn-il-gamma", "models/rnn-fashion-rows.onnx", "models/data/fashion-mnist-subset", "--inference-steps 100 --sweep gamma=0.1:1.0:0.1", null),
    ];

    [Fact]
    public void Ablation_page_shows_what_its_commands_print()
    {
        string path = Repository.PathOf("docs", "ablation.md");
        bool update = Environment.GetEnvironmentVariable("ZILONNX_UPDATE_DOCS") == "1";
        using var temp = new TempDirectory();
        var sections = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        if (update) Directory.CreateDirectory(Repository.PathOf("docs", "ablation"));
        Parallel.ForEach(Sweeps, new ParallelOptions { MaxDegreeOfParallelism = 2 }, sweep =>
            sections[sweep.Name] = SweepTable(sweep, update ? Repository.PathOf("docs", "ablation", sweep.Name) : temp.File(sweep.Name)));
        sections["conditions"] = ConditionTable();
        string page = File.ReadAllText(path);
        foreach (var (name, generated) in sections)
        {
            var (start, end) = Section(page, name);
            if (update) page = page[..start] + generated + page[end..];
            else AssertSameNumbers(name, page[start..end], generated);
        }
        if (update) File.WriteAllText(path, page);
    }

    private static string ConditionTable()
    {
        var text = new StringBuilder();
        text.Append("| condition |");
        foreach (var m in Models) foreach (var p in Precisions) text.Append($" {m.Label} {p} |");
        text.AppendLine();
        text.Append("|---|");
        foreach (var _ in Models) foreach (var __ in Precisions) text.Append("---:|");
        text.AppendLine();
        // Each command runs on one thread (--threads 1), so two at a time use two cores.
        var cells = (from condition in Conditions from m in Models from p in Precisions select (condition, m, p)).ToList();
        var results = new System.Collections.Concurrent.ConcurrentDictionary<(string, ModelCase, string), double>();
        Parallel.ForEach(cells, new ParallelOptions { MaxDegreeOfParallelism = 2 }, cell =>
        {
            var (condition, m, p) = cell;
            var run = CliProcess.Run(["verify", Repository.PathOf(m.Model), "--data", Repository.PathOf(m.Data), .. Split(Common),
                "--precision", p, .. Split(condition), "--json"]);
            Assert.True(run.ExitCode is 0 or 3, run.ToString());
            using var json = JsonDocument.Parse(run.Output);
            results[cell] = json.RootElement.GetProperty("max_rel_divergence").GetDouble();
        });
        foreach (string condition in Conditions)
        {
            text.Append($"| `{condition}` |");
            foreach (var m in Models)
            {
                double float32 = results[(condition, m, "float32")], float64 = results[(condition, m, "float64")];
                bool diverged = AblationCells.PrecisionsDisagree(float32, float64);
                text.Append($" {AblationCells.Format(float32, diverged)} | {AblationCells.Format(float64, diverged)} |");
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    private static string SweepTable(Sweep sweep, string prefix)
    {
        var run = CliProcess.Run(["verify", Repository.PathOf(sweep.Model), "--data", Repository.PathOf(sweep.Data), .. Split(Common),
            "--precision", "float64", "--rule", "il", .. Split(sweep.Arguments), "--sweep-out", prefix, "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var text = new StringBuilder("| T | gamma | relative divergence | energy F at the last step |\n|---:|---:|---:|---:|\n");
        foreach (var point in json.RootElement.GetProperty("points").EnumerateArray())
        {
            int t = point.GetProperty("T").GetInt32();
            if (sweep.ShownT != null && !sweep.ShownT.Contains(t)) continue;
            double gamma = point.GetProperty("gamma").GetDouble(), energy = Number(point, "energy");
            bool diverged = AblationCells.EnergyDiverged(energy, Number(point, "energy_start"));
            text.AppendLine($"| {t} | {gamma.ToString("0.###", CultureInfo.InvariantCulture)} | "
                            + $"{AblationCells.Format(Number(point, "max_rel_divergence"), diverged)} | {AblationCells.Format(energy, diverged)} |");
        }
        return text.ToString();
    }

    /// <summary>A JSON number, or NaN/Infinity, which System.Text.Json writes as strings.</summary>
    private static double Number(JsonElement point, string name)
    {
        var value = point.GetProperty(name);
        return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.Parse(value.GetString()!, CultureInfo.InvariantCulture);
    }

    private static string[] Split(string arguments) => arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static (int Start, int End) Section(string page, string name)
    {
        string open = $"<!-- generated: {name} -->\n", close = $"<!-- end: {name} -->";
        int start = page.IndexOf(open, StringComparison.Ordinal), end = page.IndexOf(close, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"docs/ablation.md lacks the markers of section {name}");
        return (start + open.Length, end);
    }

    private static void AssertSameNumbers(string section, string page, string generated)
    {
        string hint = $"docs/ablation.md, section {section}, is out of date: run `ZILONNX_UPDATE_DOCS=1 dotnet test tests/ZilOnnx.Tests --filter \"FullyQualifiedName~AblationDocTests\"`";
        var pageLines = page.TrimEnd().Split('\n');
        var generatedLines = generated.TrimEnd().Split('\n');
        Assert.True(pageLines.Length == generatedLines.Length, $"{hint}\npage:\n{page}\nnow:\n{generated}");
        for (int row = 0; row < pageLines.Length; row++)
        {
            var a = pageLines[row].Split('|');
            var b = generatedLines[row].Split('|');
            Assert.True(a.Length == b.Length, $"{hint}\n{pageLines[row]}\n{generatedLines[row]}");
            for (int k = 0; k < a.Length; k++)
            {
                string? mismatch = AblationCells.Mismatch(a[k].Trim(), b[k].Trim());
                Assert.True(mismatch == null, $"{hint}\n{mismatch}\n{pageLines[row]}\n{generatedLines[row]}");
            }
        }
    }
}
