using System.IO.Compression;
using System.Text.Json;
using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// Graphs as exporters write them (tests/fixtures/generate_graph_fixtures.py): a graph input no node reads, a batch
/// fixed at 4, and initializers the exporter merged because their values were equal.
/// </summary>
public sealed class ExporterGraphTests
{
    [Fact]
    public void An_input_no_node_reads_is_ignored_with_a_note_and_kept_in_the_export()
    {
        using var temp = new TempDirectory();
        string tuned = temp.File("tuned.onnx");
        var run = CliProcess.Run("finetune", Fixtures.PathOf("unused_input.onnx"), "--data", Fixtures.PathOf("unused_input.npz"),
            "--batch-size", "4", "--steps", "2", "--no-shuffle", "-o", tuned);
        Assert.True(run.ExitCode == 0, run.ToString());
        // finetune prints its notes with its progress, on stdout.
        Assert.Contains("note: " + Fixtures.PathOf("unused_input.onnx") + ": graph input 'data_unused' is read by no node: ignored", run.Output);
        Assert.Equal(OnnxModelFile.Load(Fixtures.PathOf("unused_input.onnx")).Graph.Input, OnnxModelFile.Load(tuned).Graph.Input);
    }

    [Fact]
    public void A_batch_size_that_is_not_a_multiple_of_the_fixed_batch_is_bad_input_naming_it()
    {
        var run = CliProcess.Run("verify", Fixtures.PathOf("fixed_batch4.onnx"), "--data", Fixtures.PathOf("fixed_batch4.npz"), "--batch-size", "6");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: ", run.Error);
        Assert.Contains("fixes its batch dimension at 4: --batch-size 6 is not a multiple of 4", run.Error);
    }

    [Fact]
    public void A_fixed_batch_of_4_trains_at_a_multiple_and_zil_equals_backprop()
    {
        var run = CliProcess.Run("verify", Fixtures.PathOf("fixed_batch4.onnx"), "--data", Fixtures.PathOf("fixed_batch4.npz"),
            "--batch-size", "8", "--steps", "2", "--precision", "float64", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("each batch of 8 is trained in 2 chunks of 4", run.Error);
        using var json = JsonDocument.Parse(run.Output);
        Assert.True(json.RootElement.GetProperty("max_rel_divergence").GetDouble() <= 1e-10, run.Output);
    }

    [Fact]
    public void Bench_runs_a_fixed_batch_in_chunks_and_counts_untied_parameters_apart()
    {
        string[] quick = ["--steps", "1", "--warmup", "1", "--jit-quiet", "0", "--ort-runs", "2", "--rules", "bp,zil", "--json"];
        var chunked = CliProcess.Run(["bench", Fixtures.PathOf("fixed_batch4.onnx"), "--data", Fixtures.PathOf("fixed_batch4.npz"), "--batch-size", "8", .. quick]);
        Assert.True(chunked.ExitCode == 0, chunked.ToString());
        Assert.Contains("each batch of 8 is run in 2 chunks of 4", chunked.Error);

        long Parameters(params string[] untie)
        {
            var run = CliProcess.Run(["bench", Fixtures.PathOf("tied_layers.onnx"), "--data", Fixtures.PathOf("tied_layers.npz"), "--batch-size", "8", .. quick, .. untie]);
            Assert.True(run.ExitCode == 0, run.ToString());
            using var json = JsonDocument.Parse(run.Output);
            return json.RootElement.GetProperty("parameter_count").GetInt64();
        }
        Assert.Equal(70, Parameters());
        Assert.Equal(112, Parameters("--untie"));
    }

    [Fact]
    public void Inspect_lists_the_merged_initializers_as_shared()
    {
        var run = CliProcess.Run("inspect", Fixtures.PathOf("tied_layers.onnx"), "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var shared = json.RootElement.GetProperty("graph").GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("shared_by").EnumerateArray().Select(n => n.GetString()).ToList());
        Assert.Equal(["/fc1/Gemm", "Identity_1"], shared["fc1.weight"]);
        Assert.Equal(["/fc1/Gemm", "Identity_0"], shared["fc1.bias"]);
        Assert.Empty(shared["out.weight"]);
    }

    /// <summary>
    /// Z-IL trains the untied model as torch.optim.SGD trained the torch model's separate parameters (3 steps, lr 0.1,
    /// batches of 8 in order, float64); left tied, the merged parameter takes both readers' terms and drifts away.
    /// </summary>
    [Fact]
    public void Untied_training_matches_pytorchs_separate_parameters_and_the_export_runs_in_onnx_runtime()
    {
        using var temp = new TempDirectory();
        var expected = Fixtures.Arrays("tied_layers.expected.npz");
        double Deviation(string exported)
        {
            var model = OnnxModelFile.Load(exported);
            var initializers = model.Graph.Initializer.ToDictionary(t => t.Name, t => TensorCodec.Decode(t, exported));
            // A Gemm reads fc2's weight through the Identity the exporter added; follow it to the initializer.
            var identities = model.Graph.Node.Where(n => n.OpType == "Identity").ToDictionary(n => n.Output[0], n => n.Input[0]);
            double worst = 0;
            foreach (var (key, value) in expected)
            {
                var node = model.Graph.Node.Single(n => n.Name == key.Split(':')[0]);
                string name = node.Input[int.Parse(key.Split(':')[1])];
                var actual = initializers[identities.GetValueOrDefault(name, name)].Values;
                for (int i = 0; i < value.Count; i++) worst = Math.Max(worst, Math.Abs(actual[i] - value.Values[i]));
            }
            return worst;
        }
        string Train(string output, params string[] extra)
        {
            var run = CliProcess.Run(["finetune", Fixtures.PathOf("tied_layers.onnx"), "--data", Fixtures.PathOf("tied_layers.npz"),
                "--batch-size", "8", "--steps", "3", "--no-shuffle", "--lr", "0.1", "--precision", "float64", "-o", temp.File(output), .. extra]);
            Assert.True(run.ExitCode == 0, run.ToString());
            return temp.File(output);
        }

        string untied = Train("untied.onnx", "--untie", "--checkpoint-every", "3", "--checkpoint", temp.File("run.pcn"));
        // The export stores float32 initializers: 1e-6 covers their rounding (2^-24 relative) of values under 2.
        Assert.True(Deviation(untied) <= 1e-6, $"untied: {Deviation(untied):E3} from PyTorch");
        Assert.True(Deviation(Train("tied.onnx")) > 1e-3, "the tied run should not train like PyTorch's separate parameters");

        var exported = OnnxModelFile.Load(untied);
        Assert.Equal(6, exported.Graph.Initializer.Count);
        var x = Fixtures.Arrays("tied_layers.npz")["x"];
        using var session = OnnxRuntimeSession.Open(untied, ExecutionProviderChoice.Cpu);
        var y = session.Run(new Dictionary<string, HostTensor> { ["x"] = new(x.ElementType, [2, 6], x.Values[..12]) })["y"];
        Assert.Equal([2L, 4L], y.Shape);
        Assert.All(y.Values, v => Assert.True(double.IsFinite(v)));

        // The checkpoint records --untie, so a resume continues it and a contrary setting would be refused.
        using var zip = ZipFile.OpenRead(temp.File("run.pcn"));
        using var state = JsonDocument.Parse(zip.GetEntry("checkpoint/state.json")!.Open());
        Assert.True(state.RootElement.GetProperty("untie").GetBoolean());
    }
}
