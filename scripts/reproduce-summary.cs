// Writes docs/reproduction.md and its SVG plots from the runs scripts/reproduce.sh made (see that script):
//   dotnet run scripts/reproduce-summary.cs -- WORK OUT INVOCATION [SKIPPED_RULES]
// WORK holds runs.tsv (model, rule, exit code, command) and each run's MODEL-RULE.jsonl (finetune --metrics) and
// MODEL-RULE.log (its console output); OUT gets reproduction.md and reproduction/MODEL.svg. Standard library only.
#:property ManagePackageVersionsCentrally=false
#:property TreatWarningsAsErrors=false
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 3) throw new ArgumentException("usage: reproduce-summary.cs WORK OUT INVOCATION [SKIPPED_RULES]");
string work = args[0], output = args[1], invocation = args[2];
string[] skipped = args.Length > 3 ? args[3].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
string[] exactRules = ["zil", "zil-relaxed", "fa-zil"];

var runs = File.ReadAllLines(Path.Combine(work, "runs.tsv")).Skip(1).Select(line => line.Split('\t'))
    .Select(f => Run.Read(work, f[0], f[1], int.Parse(f[2]), f[3])).ToList();
Directory.CreateDirectory(Path.Combine(output, "reproduction"));

var page = new StringBuilder();
string heldOutData = runs.Select(r => r.HeldOutData).FirstOrDefault(d => d != null) ?? "none evaluated";
page.AppendLine(Text.Heading(invocation, runs.Select(r => r.Rule).Distinct(), skipped, heldOutData));
foreach (var model in runs.GroupBy(r => r.Model))
{
    var modelRuns = model.ToList();
    File.WriteAllText(Path.Combine(output, "reproduction", $"{model.Key}.svg"), Svg.Plot(Text.Title(model.Key), modelRuns));
    page.AppendLine($"## {Text.Title(model.Key)}\n");
    page.AppendLine($"![loss and test accuracy of every rule](reproduction/{model.Key}.svg)\n");
    page.AppendLine(Text.ResultTable(modelRuns));
    if (modelRuns.FirstOrDefault(r => r.Rule == "bp") is { } bp)
        page.AppendLine(Text.ExactnessTable(bp, modelRuns.Where(r => exactRules.Contains(r.Rule))));
}
page.AppendLine(Text.Ablation);
page.AppendLine(Text.Commands(invocation, runs, work));
File.WriteAllText(Path.Combine(output, "reproduction.md"), page.ToString().TrimEnd() + "\n");

/// <summary>One training step as finetune --metrics wrote it; the held-out numbers only on steps followed by an evaluation.</summary>
record Step(long Number, double Loss, double? Divergence, double? HeldOutLoss, double? HeldOutAccuracy, double Time, string LossText);

/// <summary>One finetune run: its steps, and the held-out evaluation before the first step (from its console output).</summary>
record Run(string Model, string Rule, int Exit, string Command, List<Step> Steps, (double Loss, double Accuracy)? Before,
    string? HeldOutData)
{
    public static Run Read(string work, string model, string rule, int exit, string command)
    {
        string metrics = Path.Combine(work, $"{model}-{rule}.jsonl");
        var steps = File.Exists(metrics) ? File.ReadLines(metrics).Where(l => l.Length > 0).Select(Parse).ToList() : [];
        string log = File.ReadAllText(Path.Combine(work, $"{model}-{rule}.log"));
        var before = Regex.Match(log, @"held-out before training: loss ([0-9.]+)\s+top-1 ([0-9.]+) %");
        var heldOut = Regex.Match(log, @"held-out data: .*?([^/]+/[^/,]+), ([0-9]+) samples");
        return new Run(model, rule, exit, command, steps,
            before.Success ? (double.Parse(before.Groups[1].Value), double.Parse(before.Groups[2].Value) / 100) : null,
            heldOut.Success ? $"{int.Parse(heldOut.Groups[2].Value):N0} samples, {heldOut.Groups[1].Value}" : null);
    }

    private static Step Parse(string line)
    {
        var o = JsonDocument.Parse(line).RootElement;
        double? Number(string key) => o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        return new Step(o.GetProperty("step").GetInt64(), o.GetProperty("loss").GetDouble(), Number("divergence"), Number("val_loss"),
            Number("val_accuracy"), o.GetProperty("time").GetDouble(), o.GetProperty("loss").GetRawText());
    }

    /// <summary>The held-out evaluations: before the first step (step 0) and after the steps that were followed by one.</summary>
    public IEnumerable<(long Step, double Loss, double Accuracy)> HeldOut =>
        (Before is { } b ? [(0L, b.Loss, b.Accuracy)] : Array.Empty<(long, double, double)>())
            .Concat(Steps.Where(s => s.HeldOutLoss != null).Select(s => (s.Number, s.HeldOutLoss!.Value, s.HeldOutAccuracy ?? double.NaN)));
}

/// <summary>The page's text: tables and the fixed paragraphs.</summary>
static class Text
{
    public static string Title(string model) => model switch { "lenet5" => "LeNet-5", "rnn" => "Row-wise RNN (28 steps)", _ => model };

    public static string Heading(string invocation, IEnumerable<string> ran, string[] skipped, string heldOut) =>
        "# Z-IL against backprop, trained from scratch\n\n" +
        "The claim of the Z-IL paper (Salvatori, Song et al., \"Reverse differentiation via predictive coding\", " +
        "arXiv 2103.03725) is that Z-IL and fully autonomous Z-IL train a network exactly as backprop does, while " +
        "classic inference learning (IL) only approximates it. This page checks that on Fashion-MNIST from a fresh " +
        "start: the shipped LeNet-5 and row-wise RNN with every parameter drawn afresh (`finetune --reinit`, torch.nn's " +
        "initialisation for each layer type, from `--seed`), trained by each rule from the same seed, so every rule " +
        "starts from the same parameters and sees the same batches. The held-out numbers are the test split of the " +
        $"training data ({heldOut}), evaluated before the first step and after every epoch (or at the end of a shorter run).\n\n" +
        $"Generated by `{invocation}` (scripts/reproduce-summary.cs writes the page from the runs' `--metrics` files " +
        "and console output; the commands are at the end). The script's defaults train every exact rule and `bp` for " +
        "3 epochs; where a run was limited to fewer steps, the tables say how many it took.\n\n" +
        (invocation.Contains("LIMITS=") || invocation.Contains("STEPS=")
            ? "**This run was cut short** by the `LIMITS` or `STEPS` it was given: each run took the steps its table row " +
              "gives, the first steps of what the defaults train, so its curves and numbers are those steps' and no more.\n\n"
            : "") +
        $"Rules that ran: {string.Join(", ", ran.Select(r => $"`{r}`"))}." +
        (skipped.Length > 0 ? $" Left out, as `zilonnx finetune --help` does not list them in this build: " +
            $"{string.Join(", ", skipped.Select(r => $"`{r}`"))}." : "") + "\n";

    public static string ResultTable(List<Run> runs)
    {
        var table = new StringBuilder("Batch losses are the training batch's (batch 64); held-out after the last step; the " +
            "divergence is the largest relative one of the steps verified against backprop (steps 1, 101, 201, ...); seconds " +
            "are the training time the metrics record on the machine that wrote the page, which other work may have shared: they " +
            "say what a run cost there, not how the rules compare in speed (bench/README.md measures that). Exit 4 is a run " +
            "that stopped at a NaN or Inf (its rows are the steps before it; the reason is the last line of its log in the " +
            "working folder): ipc moves its weights at --lr at every inference step, T times per update, where the model " +
            "card's learning rate was chosen for one.\n\n" +
            "| rule | steps | exit | first batch loss | last batch loss | held-out loss | held-out top-1 " +
            "before -> after | max divergence from bp (verified steps) | seconds |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var run in runs)
        {
            var evaluations = run.HeldOut.ToList();
            var verified = run.Steps.Where(s => s.Divergence != null).ToList();
            table.Append($"| `{run.Rule}` | {run.Steps.Count} | {run.Exit} | {First(run)} | {Last(run)} | ");
            table.Append(evaluations.Count > 0 ? $"{evaluations[^1].Loss:F4} | " : "- | ");
            table.Append(evaluations.Count > 1 ? $"{evaluations[0].Accuracy:P2} -> {evaluations[^1].Accuracy:P2} | " : "- | ");
            table.Append(verified.Count > 0 ? $"{verified.Max(s => s.Divergence!.Value):0.00e+00} ({verified.Count}) | " : "- | ");
            table.Append(run.Steps.Count > 0 ? $"{run.Steps[^1].Time:F0} |\n" : "- |\n");
        }
        return table.ToString();
    }

    private static string First(Run run) => run.Steps.Count > 0 ? $"{run.Steps[0].Loss:F4}" : "-";
    private static string Last(Run run) => run.Steps.Count > 0 ? $"{run.Steps[^1].Loss:F4}" : "-";

    /// <summary>
    /// Each exact rule's curve against backprop's over the steps both took: the batch losses compared as the metrics
    /// hold them (the float32 loss written as the double it converts to, so equal text is equal bits), and the held-out
    /// evaluations both made.
    /// </summary>
    public static string ExactnessTable(Run bp, IEnumerable<Run> exact)
    {
        var table = new StringBuilder("Exact rules against `bp`, step by step over the steps both took (equal text in the metrics is " +
            "equal bits):\n\n| rule | steps compared | batch losses bit-identical | first step that differs | held-out " +
            "evaluations compared | identical |\n|---|---:|---:|---:|---:|---:|\n");
        foreach (var run in exact)
        {
            int common = Math.Min(run.Steps.Count, bp.Steps.Count);
            int same = Enumerable.Range(0, common).Count(i => run.Steps[i].LossText == bp.Steps[i].LossText);
            int firstDifferent = Enumerable.Range(0, common).FirstOrDefault(i => run.Steps[i].LossText != bp.Steps[i].LossText, -1);
            var bpHeldOut = bp.HeldOut.ToDictionary(e => e.Step);
            var pairs = run.HeldOut.Where(e => bpHeldOut.ContainsKey(e.Step)).Select(e => (e, bpHeldOut[e.Step])).ToList();
            int identical = pairs.Count(p => p.e.Loss == p.Item2.Loss && p.e.Accuracy.Equals(p.Item2.Accuracy));
            table.Append($"| `{run.Rule}` | {common} | {same} | {(firstDifferent < 0 ? "none" : run.Steps[firstDifferent].Number)} | " +
                $"{pairs.Count} | {identical} |\n");
        }
        return table.ToString();
    }

    public const string Ablation =
        "## Why the exact rules are exact: the ablations\n\n" +
        "The curves above show the outcome; [ablation.md](ablation.md) shows the cause, on the same two networks. Its " +
        "table [One condition dropped at a time](ablation.md#one-condition-dropped-at-a-time) drops each of Z-IL's " +
        "conditions (the feed-forward start, the schedule of parameter updates, inference at rate 1) and measures how far " +
        "one step's update then moves from backprop's: `--rule zil` and `--rule fa-zil` give 0, every dropped condition " +
        "moves it by at least the size of the update. Its sweeps [Classic inference learning against T and gamma]" +
        "(ablation.md#classic-inference-learning-against-t-and-gamma) show why `il` stays away from backprop at any " +
        "inference budget, and give the stable inference rates `il` runs with here (LeNet-5 0.02, the RNN 0.1). That page " +
        "is generated by its own test; its numbers are not copied here, so the two cannot disagree.\n";

    public static string Commands(string invocation, List<Run> runs, string work)
    {
        var text = new StringBuilder($"## Commands\n\n`{invocation}` ran, in this order (`$WORK` is its working folder):\n\n```\n");
        foreach (var run in runs) text.AppendLine(run.Command.Replace(work.TrimEnd('/') + "/", "$WORK/"));
        return text.Append("```\n").ToString();
    }
}

/// <summary>
/// One small SVG per model: the training loss (each run's batch losses averaged over windows, so the file stays small)
/// and the held-out top-1 over the steps, a line per rule. bp is drawn last, dashed, so an exact rule hidden under it
/// shows at the dashes' gaps.
/// </summary>
static class Svg
{
    private const int Width = 760, PanelHeight = 260, Left = 60, Right = 140, Top = 30, Gap = 50, Points = 150;
    private static readonly Dictionary<string, string> Colours = new()
    {
        ["zil"] = "#1f77b4", ["fa-zil"] = "#2ca02c", ["zil-relaxed"] = "#17becf", ["bp"] = "#000000", ["il"] = "#d62728",
        ["ipc"] = "#ff7f0e",
    };

    public static string Plot(string title, List<Run> runs)
    {
        var ordered = runs.Where(r => r.Rule != "bp").Concat(runs.Where(r => r.Rule == "bp")).Where(r => r.Steps.Count > 0).ToList();
        double maxStep = Math.Max(1, ordered.Select(r => (double)r.Steps[^1].Number).DefaultIfEmpty(1).Max());
        var losses = ordered.Select(r => (r, Smoothed(r.Steps))).ToList();
        var accuracies = ordered.Select(r => (r, r.HeldOut.Where(e => !double.IsNaN(e.Accuracy))
            .Select(e => ((double)e.Step, 100 * e.Accuracy)).ToList())).ToList();
        double maxLoss = losses.SelectMany(l => l.Item2).Select(p => p.Y).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        int height = Top + 2 * PanelHeight + 2 * Gap;
        var svg = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" " +
            "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" +
            $"<text x=\"{Width / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">{title}: Fashion-MNIST from a fresh " +
            "initialisation</text>\n");
        double lossTop = Math.Ceiling(maxLoss * 2) / 2;
        Panel(svg, Top, "training loss (batch, window mean)", maxStep, 0, lossTop, losses, markers: false);
        Panel(svg, Top + PanelHeight + Gap, "held-out top-1 (%)", maxStep, 0, 100, accuracies, markers: true);
        svg.AppendLine($"<text x=\"{Left + (Width - Left - Right) / 2}\" y=\"{height - Gap + 35}\" text-anchor=\"middle\">step</text>");
        return svg.Append("</svg>\n").ToString();
    }

    private static List<(double X, double Y)> Smoothed(List<Step> steps)
    {
        int window = Math.Max(1, (int)Math.Ceiling(steps.Count / (double)Points));
        return steps.Chunk(window).Select(c => ((double)c[^1].Number, c.Average(s => s.Loss))).ToList();
    }

    private static void Panel(StringBuilder svg, int top, string label, double maxX, double minY, double maxY,
        List<(Run Run, List<(double X, double Y)> Points)> lines, bool markers)
    {
        int width = Width - Left - Right;
        double X(double x) => Left + x / maxX * width;
        double Y(double y) => top + PanelHeight - (Math.Clamp(y, minY, maxY) - minY) / (maxY - minY) * PanelHeight;
        svg.AppendLine($"<rect x=\"{Left}\" y=\"{top}\" width=\"{width}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#888\"/>");
        svg.AppendLine($"<text x=\"15\" y=\"{top + PanelHeight / 2}\" transform=\"rotate(-90 15 {top + PanelHeight / 2})\" " +
            $"text-anchor=\"middle\">{label}</text>");
        for (int i = 0; i <= 4; i++)
        {
            double y = minY + i * (maxY - minY) / 4, x = i * maxX / 4;
            svg.AppendLine($"<text x=\"{Left - 5}\" y=\"{Y(y) + 4:F1}\" text-anchor=\"end\">{y:0.##}</text>");
            svg.AppendLine($"<text x=\"{X(x):F1}\" y=\"{top + PanelHeight + 15}\" text-anchor=\"middle\">{x:0}</text>");
        }
        int row = 0;
        foreach (var (run, points) in lines)
        {
            string colour = Colours.GetValueOrDefault(run.Rule, "#7f7f7f");
            string dash = run.Rule == "bp" ? " stroke-dasharray=\"6 6\"" : "";
            string path = string.Join(" ", points.Select(p => $"{X(p.X):F1},{Y(p.Y):F1}"));
            svg.AppendLine($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash} points=\"{path}\"/>");
            if (markers)
                foreach (var p in points) svg.AppendLine($"<circle cx=\"{X(p.X):F1}\" cy=\"{Y(p.Y):F1}\" r=\"3\" fill=\"{colour}\"/>");
            int legendY = top + 15 + 18 * row++;
            svg.AppendLine($"<line x1=\"{Left + width + 10}\" y1=\"{legendY - 4}\" x2=\"{Left + width + 35}\" y2=\"{legendY - 4}\" " +
                $"stroke=\"{colour}\" stroke-width=\"2\"{dash}/><text x=\"{Left + width + 40}\" y=\"{legendY}\">{run.Rule}</text>");
        }
    }
}
