using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Docs;

/// <summary>
/// scripts/reproduce.sh, which writes docs/reproduction.md, on a run of two steps: the page it generates has the
/// result table, the exactness check and a plot per model, and says which rules it left out.
/// </summary>
public sealed class ReproductionScriptTests
{
    [Fact]
    public void A_short_run_writes_the_page_with_its_tables_and_plot()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Repository.PathOf("scripts", "reproduce.sh"));
        start.Environment["MODELS"] = "lenet5";
        start.Environment["RULES"] = "zil bp no-such-rule";
        start.Environment["STEPS"] = "2";
        start.Environment["DATA"] = Repository.PathOf("models", "data", "fashion-mnist-subset");
        start.Environment["WORK"] = temp.File("work");
        start.Environment["OUT"] = output;
        start.Environment["ZILONNX"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "zilonnx.dll")}";
        var result = CliProcess.Complete(start, TimeSpan.FromMinutes(10), "scripts/reproduce.sh");
        Assert.True(result.ExitCode == 0, result.ToString());

        string page = File.ReadAllText(Path.Combine(output, "reproduction.md"));
        Assert.Contains("Rules that ran: `zil`, `bp`.", page);
        Assert.Contains("Left out, as `zilonnx finetune --help` does not list them in this build: `no-such-rule`.", page);
        Assert.Contains("![loss and test accuracy of every rule](reproduction/lenet5.svg)", page);
        Assert.Contains("MODELS=\"lenet5\"", page);

        // Rows: rule, steps, exit code, first and last batch loss. A fresh LeNet-5 predicts close to uniformly over the
        // 10 classes, so its first loss is within 0.1 of ln 10 (the shipped, trained model's is below 1).
        foreach (string rule in new[] { "zil", "bp" })
        {
            var row = Regex.Match(page, $@"\| `{rule}` \| 2 \| 0 \| ([0-9.]+) \| ([0-9.]+) \|");
            Assert.True(row.Success, $"no result row for {rule}:\n{page}");
            Assert.InRange(double.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture), Math.Log(10) - 0.1, Math.Log(10) + 0.1);
        }
        // Z-IL's two batch losses and two held-out evaluations (before and after) are backprop's, bit for bit.
        Assert.Matches(@"\| `zil` \| 2 \| 2 \| none \| 2 \| 2 \|", page);
        Assert.Contains("--reinit --seed 1", page);
        Assert.Contains("$WORK/lenet5-zil.jsonl", page);

        var svg = XDocument.Load(Path.Combine(output, "reproduction", "lenet5.svg"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        // One loss line and one accuracy line per rule.
        Assert.Equal(4, svg.Descendants(ns + "polyline").Count());
        Assert.Equal(["bp", "bp", "zil", "zil"], svg.Descendants(ns + "text").Select(t => t.Value).Where(t => t is "zil" or "bp").Order());
    }
}
