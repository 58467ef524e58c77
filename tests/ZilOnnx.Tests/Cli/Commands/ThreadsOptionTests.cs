using System.Text.Json;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>`--threads N` of finetune and verify (docs/cli.md): any positive count trains exactly, anything else is a usage error.</summary>
public sealed class ThreadsOptionTests
{
    private static CliProcess.Result Verify(params string[] extra) =>
        CliProcess.Run([
            "verify", Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"),
            "--batch-size", "8", "--steps", "2", "--precision", "float64", "--json", .. extra]);

    [Theory]
    [InlineData("1")]
    [InlineData("3")]
    public void Verification_passes_with_any_thread_count(string threads)
    {
        var run = Verify("--threads", threads);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.True(json.RootElement.GetProperty("max_rel_divergence").GetDouble() <= 1e-10, run.Output);
    }

    [Theory]
    [InlineData("verify")]
    [InlineData("finetune")]
    public void A_thread_count_below_one_is_a_usage_error(string command)
    {
        string[] output = command == "finetune" ? ["-o", Path.Combine(Path.GetTempPath(), "zilonnx-threads-never-written.onnx")] : [];
        var run = CliProcess.Run([command, Fixtures.PathOf("lenet5.onnx"), "--data", Fixtures.PathOf("lenet5.ce.npz"), "--threads", "0", .. output]);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("--threads must be a whole number from 1 to", run.Error);
    }
}
