using System.Globalization;
using System.Text.Json;
using ZilOnnx.Tests.TestSupport;
using Xunit;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// The research side of `verify`: rule fa-zil, il's energy stop (`--tol`), and the studies (`--sweep`, `--energy`)
/// with the files they write.
/// </summary>
public sealed class ResearchCommandTests
{
    private static string[] Verify(string fixture, params string[] extra) =>
    [
        "verify", Fixtures.PathOf($"{fixture}.onnx"), "--data", Fixtures.PathOf($"{fixture}.mse.npz"), "--loss", "mse", "--batch-size", "8",
        "--no-shuffle", .. extra,
    ];

    [Theory]
    [InlineData("lenet5")]
    [InlineData("residual_mlp")]
    [InlineData("rnn_tanh")]
    public void Verify_fa_zil_in_float64_is_within_1e_10_of_backprop_and_reports_its_inference_steps(string fixture)
    {
        var run = CliProcess.Run(Verify(fixture, "--rule", "fa-zil", "--precision", "float64", "--steps", "2", "--json"));
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("fa-zil", json.RootElement.GetProperty("rule").GetString());
        Assert.True(json.RootElement.GetProperty("max_rel_divergence").GetDouble() <= 1e-10, run.Output);
        var steps = json.RootElement.GetProperty("inference_steps").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(2, steps.Count);
        Assert.All(steps, n => Assert.True(n > 1, run.Output));
    }

    /// <summary>fa-zil trains like any exact rule: every step verified within the bound, its name in the checkpoint, and a resume continues it.</summary>
    [Fact]
    public void Finetune_with_fa_zil_verifies_every_step_and_resumes_from_its_checkpoint()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.File("run.pcn"), metrics = temp.File("metrics.jsonl");
        var run = CliProcess.Run(["finetune", Fixtures.PathOf("rnn_tanh.onnx"), "--data", Fixtures.PathOf("rnn_tanh.mse.npz"), "--loss", "mse",
            "--batch-size", "8", "--no-shuffle", "--rule", "fa-zil", "--precision", "float64", "--steps", "2", "--verify-every", "1",
            "--checkpoint-every", "2", "--checkpoint", checkpoint, "--metrics", metrics, "-o", temp.File("out.onnx")]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("2 steps verified", run.Output);
        foreach (string line in File.ReadAllLines(metrics))
        {
            using var record = JsonDocument.Parse(line);
            Assert.True(record.RootElement.GetProperty("divergence").GetDouble() <= 1e-10, line);
            Assert.True(record.RootElement.GetProperty("inference_steps").GetInt32() > 1, line);
        }
        var resumed = CliProcess.Run(["finetune", checkpoint, "--data", Fixtures.PathOf("rnn_tanh.mse.npz"), "--steps", "3", "-o", temp.File("more.onnx")]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("rule fa-zil", resumed.Output);
    }

    [Fact]
    public void Il_with_tol_stops_early_and_says_how_many_steps_it_used()
    {
        var run = CliProcess.Run(Verify("mlp", "--rule", "il", "--T", "500", "--tol", "1e-3", "--precision", "float64", "--json"));
        Assert.True(run.ExitCode == 3, run.ToString()); // il is over the tolerance of an exact rule, as always
        using var json = JsonDocument.Parse(run.Output);
        int used = json.RootElement.GetProperty("inference_steps")[0].GetInt32();
        Assert.InRange(used, 2, 499);

        var text = CliProcess.Run(Verify("mlp", "--rule", "il", "--T", "500", "--tol", "1e-3", "--precision", "float64"));
        Assert.Contains($"inference steps: {used}", text.Output);
    }

    [Fact]
    public void A_T_sweep_writes_one_csv_row_per_T_and_a_png()
    {
        using var temp = new TempDirectory();
        string prefix = temp.File("il-T");
        var run = CliProcess.Run(Verify("mlp", "--rule", "il", "--precision", "float64", "--sweep", "T=1:40", "--sweep-out", prefix + ".csv"));
        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = File.ReadAllLines(prefix + ".csv");
        Assert.Equal("T,gamma,max_rel_divergence,max_abs_divergence,energy", rows[0]);
        Assert.Equal(Enumerable.Range(1, 40).Select(t => t.ToString(CultureInfo.InvariantCulture)), rows.Skip(1).Select(r => r.Split(',')[0]));
        // At T = 1 only the output layer learns: relative divergence 1 (the hidden layers' updates are 0).
        Assert.Equal(1.0, double.Parse(rows[1].Split(',')[2], CultureInfo.InvariantCulture), 12);
        AssertPng(prefix + ".png");
        Assert.Contains("wrote", run.Output);
    }

    [Fact]
    public void A_gamma_sweep_writes_one_csv_row_per_gamma_and_json_lists_the_points()
    {
        using var temp = new TempDirectory();
        string prefix = temp.File("il-gamma");
        var run = CliProcess.Run(Verify("mlp", "--rule", "il", "--T", "10", "--precision", "float64", "--sweep", "gamma=0.1:1.0:0.1", "--sweep-out", prefix, "--json"));
        Assert.True(run.ExitCode == 0, run.ToString());
        var gammas = File.ReadAllLines(prefix + ".csv").Skip(1).Select(r => double.Parse(r.Split(',')[1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(k => k / 10.0), gammas);
        AssertPng(prefix + ".png");
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(10, json.RootElement.GetProperty("points").GetArrayLength());
        Assert.All(json.RootElement.GetProperty("points").EnumerateArray(), p => Assert.Equal(10, p.GetProperty("T").GetInt32()));
    }

    /// <summary>LeNet-5's relaxation blows up at gamma 1 (far over its stability bound): the points are NaN or Infinity, in the CSV and the JSON alike.</summary>
    [Fact]
    public void A_sweep_whose_relaxation_blows_up_reports_non_finite_points()
    {
        using var temp = new TempDirectory();
        string prefix = temp.File("blown");
        var run = CliProcess.Run(Verify("lenet5", "--rule", "il", "--gamma", "1", "--sweep", "T=400:420:20", "--sweep-out", prefix, "--json"));
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var last = json.RootElement.GetProperty("points")[1].GetProperty("max_rel_divergence");
        Assert.Equal(JsonValueKind.String, last.ValueKind);
        Assert.Contains(last.GetString(), new[] { "NaN", "Infinity" });
        Assert.Equal(3, File.ReadAllLines(prefix + ".csv").Length);
        AssertPng(prefix + ".png");
    }

    [Fact]
    public void Energy_writes_F_for_every_inference_step_of_the_first_batch()
    {
        using var temp = new TempDirectory();
        string prefix = temp.File("energy");
        var run = CliProcess.Run(Verify("mlp", "--rule", "il", "--T", "30", "--precision", "float64", "--energy", prefix));
        Assert.True(run.ExitCode == 3, run.ToString());
        var energies = File.ReadAllLines(prefix + ".csv").Skip(1).Select(r => double.Parse(r.Split(',')[1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(30, energies.Count);
        Assert.True(energies[^1] < energies[0], string.Join(", ", energies));
        AssertPng(prefix + ".png");
        Assert.Contains("energy F over 30 inference step(s)", run.Error);
    }

    /// <summary>An ablation with nothing to act on in the graph gives 0, and verify says why rather than leaving it to look like a harmless condition.</summary>
    [Theory]
    [InlineData("lenet5", "all-copies", "no parameter is read by more than one vertex")]
    [InlineData("lenet5", "immediate-shared", "no parameter is read by more than one vertex")]
    [InlineData("lenet5", "no-levelling", "no skip connection to level")]
    public void An_ablation_with_nothing_to_act_on_is_said_to_change_nothing(string fixture, string ablation, string reason)
    {
        var run = CliProcess.Run(Verify(fixture, "--precision", "float64", "--ablate", ablation, "--json"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"note: --ablate {ablation} changes nothing here: ", run.Error);
        Assert.Contains(reason, run.Error);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(0.0, json.RootElement.GetProperty("max_rel_divergence").GetDouble());
    }

    [Theory]
    [InlineData("residual_mlp", "no-levelling")]
    [InlineData("rnn_tanh", "all-copies")]
    [InlineData("rnn_tanh", "immediate-shared")]
    public void An_ablation_that_acts_says_nothing_and_diverges(string fixture, string ablation)
    {
        var run = CliProcess.Run(Verify(fixture, "--precision", "float64", "--ablate", ablation, "--json"));
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.DoesNotContain("changes nothing", run.Error);
        using var json = JsonDocument.Parse(run.Output);
        Assert.True(json.RootElement.GetProperty("max_rel_divergence").GetDouble() > 1e-2, run.Output);
    }

    [Theory]
    [InlineData("--rule", "zil", "--sweep", "T=1:10")]
    [InlineData("--rule", "il", "--sweep", "T=0:10")]
    [InlineData("--rule", "il", "--sweep", "gamma=0.1:1.5:0.1")]
    [InlineData("--rule", "il", "--sweep", "beta=1:2")]
    [InlineData("--rule", "il", "--sweep", "T=1:10", "--T", "5")]
    [InlineData("--rule", "zil", "--tol", "1e-3")]
    [InlineData("--rule", "il", "--tol", "-1")]
    [InlineData("--rule", "zil", "--energy", "e")]
    [InlineData("--rule", "il", "--sweep-out", "x")]
    public void Misused_study_options_are_usage_errors(params string[] options)
    {
        using var temp = new TempDirectory();
        var run = CliProcess.Run(Verify("mlp", [.. options.Select(o => o is "e" or "x" ? temp.File(o) : o)]));
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith("error:", run.Error.TrimStart());
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    private static void AssertPng(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path}: {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
    }
}
