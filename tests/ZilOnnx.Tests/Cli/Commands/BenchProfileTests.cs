using System.Text.Json;
using ZilOnnx.Tests.TestSupport;
using Xunit;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// `zilonnx bench --profile`: the per-operator profile's JSON fields and table on a small model. No timing is asserted (a
/// test machine's speed says nothing about the code); the structure and the sums are.
/// </summary>
public sealed class BenchProfileTests
{
    private static readonly string[] Strategies = ["PassWhole", "ClosedForm", "AutogradTape", "ForwardOnly", "-"];

    private static CliProcess.Result Bench(params string[] extra) => CliProcess.Run(["bench", Fixtures.PathOf("lenet5.onnx"), "--batch-size", "8",
        "--rules", "bp,zil", "--steps", "3", "--warmup", "1", "--jit-quiet", "0", "--ort-runs", "0", .. extra]);

    [Fact]
    public void Json_profile_has_every_operator_with_its_strategy_and_parts()
    {
        var run = Bench("--profile", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var profile = json.RootElement.GetProperty("profile");
        Assert.Equal(3, profile.GetProperty("steps").GetInt32());
        foreach (string column in new[] { "bp_forward_ms", "bp_backward_ms", "zil_forward_ms", "zil_sweep_ms", "zil_rest_ms" })
            Assert.False(string.IsNullOrWhiteSpace(profile.GetProperty("columns").GetProperty(column).GetString()), column);

        var operators = profile.GetProperty("operators").EnumerateArray().ToList();
        Assert.NotEmpty(operators);
        foreach (var row in operators)
        {
            Assert.False(string.IsNullOrEmpty(row.GetProperty("op_type").GetString()), row.ToString());
            Assert.Contains(row.GetProperty("strategy").GetString(), Strategies);
            Assert.True(row.GetProperty("vertices").GetInt32() > 0, row.ToString());
            foreach (string part in new[] { "bp_forward_ms", "zil_forward_ms", "zil_sweep_ms" })
                Assert.True(row.GetProperty(part).GetDouble() >= 0, $"{part}: {row}");
        }
        // Every operator of LeNet-5 takes a closed form: its convolutions, poolings, Gemm layers and activations.
        foreach (string op in new[] { "Conv", "MaxPool", "Gemm", "Relu" })
            Assert.Contains(operators, r => r.GetProperty("op_type").GetString() == op && r.GetProperty("strategy").GetString() == "ClosedForm");
        // Every vertex but the data input is in one row.
        Assert.Equal(json.RootElement.GetProperty("vertices").GetInt32() - 1, operators.Sum(r => r.GetProperty("vertices").GetInt32()));

        // The totals are the rows' sums (each rounded to 4 decimals, hence the tolerance) and split the whole steps.
        var totals = profile.GetProperty("totals");
        foreach (string part in new[] { "bp_forward_ms", "zil_forward_ms", "zil_sweep_ms" })
            Assert.Equal(totals.GetProperty(part).GetDouble(), operators.Sum(r => r.GetProperty(part).GetDouble()), 1e-4 * (operators.Count + 1));
        Assert.Equal(totals.GetProperty("bp_step_ms").GetDouble(),
            totals.GetProperty("bp_forward_ms").GetDouble() + totals.GetProperty("bp_backward_ms").GetDouble(), 1e-3);
        Assert.Equal(totals.GetProperty("zil_step_ms").GetDouble(), totals.GetProperty("zil_forward_ms").GetDouble()
            + totals.GetProperty("zil_sweep_ms").GetDouble() + totals.GetProperty("zil_rest_ms").GetDouble(), 1e-3);
        Assert.True(totals.GetProperty("bp_forward_ms").GetDouble() > 0 && totals.GetProperty("zil_sweep_ms").GetDouble() > 0, totals.ToString());
    }

    [Fact]
    public void The_table_says_what_each_column_covers_and_no_profile_is_taken_unasked()
    {
        var profiled = Bench("--profile");
        Assert.True(profiled.ExitCode == 0, profiled.ToString());
        Assert.Contains("| operator | zil strategy | vertices | bp forward | zil forward | zil sweep |", profiled.Output);
        Assert.Contains("- bp_backward_ms: ", profiled.Output);

        var plain = Bench("--json");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        using var json = JsonDocument.Parse(plain.Output);
        Assert.False(json.RootElement.TryGetProperty("profile", out _));
    }
}
