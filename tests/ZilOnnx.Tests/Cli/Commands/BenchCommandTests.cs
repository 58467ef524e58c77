using System.Text.Json;
using ZilOnnx.Tests.TestSupport;
using Xunit;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// `zilonnx bench`: the JSON contract of docs/cli.md and sane values (no timing is asserted: a test machine's speed
/// says nothing about the code), the markdown table, and usage errors.
/// </summary>
public sealed class BenchCommandTests
{
    private static readonly string[] RuleKeys =
        ["median_ms", "p10_ms", "p90_ms", "ratio_to_bp", "ratio_p10", "ratio_p90", "samples_per_s", "step_memory_mb", "peak_rss_mb", "memory_ratio_to_bp",
         "step_memory_estimate_mb"];

    /// <summary>
    /// A short bench of a fixture; an option in <paramref name="extra"/> replaces the default given here. The warm-up
    /// does not wait for the JIT unless a test asks it to: that wait takes seconds and measures nothing here.
    /// </summary>
    private static CliProcess.Result Bench(string network, params string[] extra)
    {
        var defaults = new Dictionary<string, string> { ["--batch-size"] = "8", ["--steps"] = "3", ["--warmup"] = "1", ["--jit-quiet"] = "0", ["--ort-runs"] = "3" };
        foreach (string option in extra) defaults.Remove(option);
        return CliProcess.Run(["bench", Fixtures.PathOf(network + ".onnx"), .. defaults.SelectMany(d => new[] { d.Key, d.Value }), .. extra]);
    }

    [Fact]
    public void Json_has_every_key_and_sane_values_for_every_rule()
    {
        var run = Bench("mlp", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        foreach (string key in new[] { "model", "batch_size", "threads", "rules", "precision", "device", "loss", "optimizer", "data", "vertices", "depth",
                                       "parameter_count", "warmup", "warmup_seconds", "jit_quiet", "jit_compilations_timed", "steps",
                                       "memory_method", "onnxruntime", "machine" })
            Assert.True(root.TryGetProperty(key, out _), $"key '{key}' missing from {run.Output}");
        // --jit-quiet 0: the warm-up is the rounds asked for, and the JIT was not waited for.
        Assert.Equal(1, root.GetProperty("warmup").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("jit_quiet").ValueKind);
        Assert.True(root.GetProperty("jit_compilations_timed").GetInt64() >= 0);
        Assert.EndsWith("mlp.onnx", root.GetProperty("model").GetString());
        Assert.Equal(8, root.GetProperty("batch_size").GetInt32());
        Assert.True(root.GetProperty("threads").GetInt32() >= 1);
        Assert.Equal("synthetic", root.GetProperty("data").GetString());
        Assert.Equal(3, root.GetProperty("steps").GetInt32());

        var rules = root.GetProperty("rules");
        Assert.Equal(["bp", "zil", "zil-relaxed", "il", "zil+verify"], rules.EnumerateObject().Select(p => p.Name));
        foreach (var rule in rules.EnumerateObject())
        {
            foreach (string key in RuleKeys) Assert.True(rule.Value.TryGetProperty(key, out _), $"{rule.Name}: key '{key}' missing");
            double median = rule.Value.GetProperty("median_ms").GetDouble();
            Assert.True(median > 0, $"{rule.Name}: median {median}");
            Assert.True(rule.Value.GetProperty("p10_ms").GetDouble() <= median && median <= rule.Value.GetProperty("p90_ms").GetDouble(), $"{rule.Name}: {rule.Value}");
            Assert.True(rule.Value.GetProperty("ratio_to_bp").GetDouble() > 0, $"{rule.Name}: {rule.Value}");
            Assert.True(rule.Value.GetProperty("samples_per_s").GetDouble() > 0, $"{rule.Name}: {rule.Value}");
        }
        var bp = rules.GetProperty("bp");
        Assert.Equal(1.0, bp.GetProperty("ratio_to_bp").GetDouble());
        Assert.Equal(1.0, bp.GetProperty("ratio_p10").GetDouble());
        Assert.Equal(1.0, bp.GetProperty("ratio_p90").GetDouble());
        if (bp.GetProperty("step_memory_mb").ValueKind != JsonValueKind.Null)
            Assert.True(bp.GetProperty("peak_rss_mb").GetDouble() >= bp.GetProperty("step_memory_mb").GetDouble());
        // zil verified at every timed step: exact, as everywhere else.
        Assert.True(rules.GetProperty("zil+verify").GetProperty("max_divergence").GetDouble() <= 1e-4);
        Assert.Equal(20, rules.GetProperty("il").GetProperty("inference_steps").GetInt32());
        Assert.Equal(0.1, rules.GetProperty("il").GetProperty("gamma").GetDouble());

        var ort = root.GetProperty("onnxruntime");
        Assert.Equal(3, ort.GetProperty("runs").GetInt32());
        foreach (string side in new[] { "original", "exported" })
        {
            double median = ort.GetProperty(side + "_ms").GetDouble();
            Assert.True(median > 0 && ort.GetProperty(side + "_p10_ms").GetDouble() <= median && median <= ort.GetProperty(side + "_p90_ms").GetDouble(), ort.ToString());
        }
        Assert.True(ort.GetProperty("ratio").GetDouble() > 0);
    }

    [Fact]
    public void Bp_is_always_timed_and_the_settings_given_are_reported()
    {
        var run = Bench("lenet5", "--rules", "zil", "--threads", "1", "--data", Fixtures.PathOf("lenet5.ce.npz"), "--ort-runs", "0", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        Assert.Equal(["bp", "zil"], root.GetProperty("rules").EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, root.GetProperty("threads").GetInt32());
        Assert.EndsWith("lenet5.ce.npz", root.GetProperty("data").GetString());
        Assert.False(root.TryGetProperty("onnxruntime", out _));
    }

    /// <summary>
    /// With a JIT wait the warm-up runs past the rounds asked for until no method has been compiled for that long, and
    /// says so; a process that has just started compiles for longer than a second, so one round cannot be the end.
    /// </summary>
    [Fact]
    public void The_warm_up_waits_until_the_jit_is_quiet()
    {
        var run = Bench("mlp", "--rules", "bp", "--jit-quiet", "1", "--ort-runs", "0", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("jit_quiet").GetBoolean(), run.Output);
        Assert.True(root.GetProperty("warmup").GetInt32() > 1, run.Output);
        Assert.True(root.GetProperty("warmup_seconds").GetDouble() >= 1, run.Output);
    }

    [Fact]
    public void Epoch_reports_the_samples_per_second_of_bp_and_zil()
    {
        var run = Bench("mlp", "--rules", "zil", "--epoch", "--data", Fixtures.PathOf("mlp.ce.npz"), "--ort-runs", "0", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var epoch = json.RootElement.GetProperty("epoch");
        Assert.Equal(32, epoch.GetProperty("samples").GetInt64());
        Assert.Equal(4, epoch.GetProperty("steps").GetInt64());
        foreach (string rule in new[] { "bp", "zil" })
        {
            Assert.True(epoch.GetProperty(rule).GetProperty("seconds").GetDouble() > 0);
            Assert.True(epoch.GetProperty(rule).GetProperty("samples_per_s").GetDouble() > 0);
        }
        Assert.True(epoch.GetProperty("zil_to_bp").GetDouble() > 0);
    }

    [Fact]
    public void Without_json_it_prints_a_markdown_table_with_a_row_per_rule()
    {
        var run = Bench("residual_mlp", "--rules", "bp,zil,il", "--T", "3", "--gamma", "0.5", "--loss", "mse");
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains(lines, l => l.StartsWith("| rule | median ms | p10 ms | p90 ms |", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("| bp | ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("| zil | ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("| il (T 3, gamma 0.5) | ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ONNX Runtime (CPU", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--rules", "bp,backprop")]
    [InlineData("--steps", "0")]
    [InlineData("--warmup", "-1")]
    [InlineData("--jit-quiet", "-1")]
    [InlineData("--jit-quiet", "61")]
    [InlineData("--threads", "0")]
    [InlineData("--ort-runs", "-1")]
    [InlineData("--T", "0")]
    [InlineData("--gamma", "2")]
    public void Bad_options_are_usage_errors(string option, string value)
    {
        var run = Bench("mlp", option, value);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith("error:", run.Error);
    }

    [Fact]
    public void Il_settings_without_il_are_a_usage_error()
    {
        var run = Bench("mlp", "--rules", "bp,zil", "--T", "5");
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("--inference-steps", run.Error);
    }
}
