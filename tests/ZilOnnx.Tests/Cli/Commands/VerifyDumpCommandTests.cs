using System.Text;
using System.Text.Json;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Studies;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>`verify --dump PREFIX.npz` and the per-parameter divergences of `--metrics`, through the command line.</summary>
public sealed class VerifyDumpCommandTests
{
    private static string[] Verify(params string[] extra) =>
    [
        "verify", Fixtures.PathOf("mlp.onnx"), "--data", Fixtures.PathOf("mlp.mse.npz"), "--loss", "mse", "--batch-size", "8",
        "--no-shuffle", .. extra,
    ];

    [Fact]
    public void Dump_writes_every_vertex_over_the_relaxation_and_each_parameters_divergence_per_verified_step()
    {
        using var temp = new TempDirectory();
        string prefix = temp.File("trace");
        var run = CliProcess.Run(Verify("--rule", "il", "--T", "6", "--steps", "3", "--precision", "float64", "--dump", prefix, "--json"));
        Assert.True(run.ExitCode == 3, run.ToString());

        // ".npz" is added to a PREFIX without it, as numpy's savez does.
        var arrays = NpzArchive.Read(prefix + ".npz");
        using var index = JsonDocument.Parse(Encoding.UTF8.GetString(arrays[VertexDump.IndexArray].Values.Select(b => (byte)b).ToArray()));
        var root = index.RootElement;
        Assert.Equal("il", root.GetProperty("rule").GetString());
        Assert.Equal(6, root.GetProperty("inference_steps").GetInt32());
        Assert.Equal(3, root.GetProperty("verified_steps").GetInt32());
        foreach (var vertex in root.GetProperty("vertices").EnumerateArray())
        {
            string key = vertex.GetProperty("key").GetString()!;
            Assert.Equal(6, arrays[$"value.{key}"].Shape[0]);
            Assert.Equal(8, arrays[$"value.{key}"].Shape[1]);
            Assert.Equal(arrays[$"value.{key}"].Shape, arrays[$"error.{key}"].Shape);
            Assert.Equal(new long[] { 6 }, arrays[$"energy.{key}"].Shape);
        }
        // The report's per-parameter maxima over the steps are the maxima of the dumped per-step divergences.
        using var report = JsonDocument.Parse(run.Output);
        var parameters = root.GetProperty("parameters").EnumerateArray().ToList();
        Assert.Equal(report.RootElement.GetProperty("parameters").GetArrayLength(), parameters.Count);
        foreach (var reported in report.RootElement.GetProperty("parameters").EnumerateArray())
        {
            string key = parameters.Single(p => p.GetProperty("name").GetString() == reported.GetProperty("name").GetString())
                .GetProperty("key").GetString()!;
            double[] relative = arrays[$"divergence.{key}"].Values, absolute = arrays[$"divergence_abs.{key}"].Values;
            Assert.Equal(3, relative.Length);
            Assert.Equal(reported.GetProperty("max_rel").GetDouble(), relative.Max());
            Assert.Equal(reported.GetProperty("max_abs").GetDouble(), absolute.Max());
        }
        Assert.Contains($"wrote {prefix}.npz", run.Error);
    }

    [Theory]
    [InlineData("--rule", "bp", "--dump", "x")]
    [InlineData("--rule", "il", "--sweep", "T=1:3", "--dump", "x")]
    public void Dump_without_value_nodes_or_with_a_sweep_is_a_usage_error(params string[] options)
    {
        using var temp = new TempDirectory();
        var run = CliProcess.Run(Verify([.. options.Select(o => o == "x" ? temp.File(o) : o)]));
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith("error:", run.Error.TrimStart());
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Metrics_records_each_parameters_divergence_on_verified_steps()
    {
        using var temp = new TempDirectory();
        string metrics = temp.File("m.jsonl");
        var run = CliProcess.Run("finetune", Fixtures.PathOf("mlp.onnx"), "--data", Fixtures.PathOf("mlp.mse.npz"), "--loss", "mse",
            "--batch-size", "8", "--steps", "3", "--verify-every", "2", "--metrics", metrics, "-o", temp.File("o.onnx"));
        Assert.True(run.ExitCode == 0, run.ToString());

        var records = File.ReadAllLines(metrics).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        // --verify-every 2 verifies steps 1 and 3.
        Assert.Equal([true, false, true], records.Select(r => r.TryGetProperty("parameters", out _)));
        var parameters = records[2].GetProperty("parameters").EnumerateArray().ToList();
        Assert.NotEmpty(parameters);
        // The step's divergence is the largest of the parameters' own.
        Assert.Equal(records[2].GetProperty("divergence").GetDouble(), parameters.Max(p => p.GetProperty("max_rel").GetDouble()));
        Assert.Equal(records[2].GetProperty("divergence_abs").GetDouble(), parameters.Max(p => p.GetProperty("max_abs").GetDouble()));
        Assert.All(parameters, p => Assert.False(string.IsNullOrEmpty(p.GetProperty("name").GetString())));
    }
}
