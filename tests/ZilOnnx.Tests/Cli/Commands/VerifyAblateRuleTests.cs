using System.Text.Json;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// `--ablate` composes with the chosen rule or is refused (docs/cli.md, verify): it never swaps the rule for other
/// dynamics unannounced, and the report's `dynamics` says what ran. A refusal is a usage error (exit code 1, one line
/// naming the option and the rule), like any other option value out of place.
/// </summary>
public sealed class VerifyAblateRuleTests
{
    private static CliProcess.Result Verify(params string[] extra) =>
        CliProcess.Run([
            "verify", Fixtures.PathOf("mlp.onnx"), "--data", Fixtures.PathOf("mlp.mse.npz"), "--loss", "mse", "--batch-size", "8",
            "--no-shuffle", "--precision", "float64", "--json", .. extra]);

    [Theory]
    [InlineData("--ablate does not apply to --rule bp", "--rule", "bp", "--ablate", "gamma=0.5")]
    [InlineData("--ablate does not apply to --rule bp", "--rule", "bp", "--ablate", "no-levelling")]
    [InlineData("--ablate schedule-shift does not apply to --rule il", "--rule", "il", "--ablate", "schedule-shift=1")]
    [InlineData("--ablate last-step does not apply to --rule il", "--rule", "il", "--ablate", "last-step")]
    [InlineData("--ablate all-copies does not apply to --rule il", "--rule", "il", "--ablate", "all-copies")]
    [InlineData("--ablate schedule-shift does not apply to --rule fa-zil", "--rule", "fa-zil", "--ablate", "schedule-shift=1")]
    [InlineData("--gamma and --ablate gamma=G both set il's inference rate", "--rule", "il", "--gamma", "0.2", "--ablate", "gamma=0.5")]
    [InlineData("--ablate 'gamma=0' needs an inference rate G greater than 0 and at most 1", "--ablate", "gamma=0")]
    [InlineData("--ablate 'gamma=-1' needs an inference rate G greater than 0 and at most 1", "--ablate", "gamma=-1")]
    [InlineData("--ablate 'schedule-shift=100001' needs a shift K in inference steps, a whole number from -100000", "--ablate", "schedule-shift=100001")]
    public void A_misuse_is_refused_naming_it(string message, params string[] arguments)
    {
        var run = Verify(arguments);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("", run.Output);
        Assert.StartsWith($"error: {message}", run.Error.Trim());
        Assert.Single(run.Error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("zil-relaxed with gamma=0.5", 5, "--rule", "zil", "--ablate", "gamma=0.5")]
    [InlineData("zil-relaxed with schedule-shift=-1", 5, "--ablate", "schedule-shift=-1")]
    [InlineData("fa-zil with gamma=0.5", null, "--rule", "fa-zil", "--ablate", "gamma=0.5")]
    [InlineData("il with gamma=0.5", 7, "--rule", "il", "--inference-steps", "7", "--ablate", "gamma=0.5")]
    [InlineData("il with init-noise=0.1 all-steps", 7, "--rule", "il", "--inference-steps", "7", "--ablate", "init-noise=0.1", "all-steps")]
    public void An_ablation_runs_in_the_rule_s_own_dynamics_and_says_so(string dynamics, int? inferenceSteps, params string[] arguments)
    {
        var run = Verify(arguments);
        Assert.True(run.ExitCode is 0 or 3, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(dynamics, json.RootElement.GetProperty("dynamics").GetString());
        // il keeps its T; the scheduled dynamics run depth + 1 steps (the mlp's d(v) reaches 4); fa-zil until its latches open.
        if (inferenceSteps is { } t) Assert.Equal(t, json.RootElement.GetProperty("inference_steps")[0].GetInt32());
    }

    [Fact]
    public void Without_ablate_the_dynamics_are_the_rule()
    {
        var run = Verify("--rule", "il");
        Assert.True(run.ExitCode is 0 or 3, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("il", json.RootElement.GetProperty("dynamics").GetString());
    }
}
