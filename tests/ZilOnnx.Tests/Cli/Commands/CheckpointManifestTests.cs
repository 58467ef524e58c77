using System.IO.Compression;
using System.Text.Json.Nodes;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// Resuming a checkpoint that no longer matches what wrote it, as `finetune` processes: a real two-step run's
/// checkpoint, changed in one way (a parameter file removed, the model swapped, the run state edited, other data
/// given). Each is refused with exit code 2 and one `error:` line naming the checkpoint and what differs, and
/// writes nothing; the untouched checkpoint and one from before manifests resume.
/// </summary>
public sealed class CheckpointManifestTests(CheckpointManifestTests.FirstRun first) : IClassFixture<CheckpointManifestTests.FirstRun>, IDisposable
{
    private static readonly string Data = Fixtures.PathOf("mlp.ce.npz");

    /// <summary>The run every case starts from: mlp, two float64 steps with momentum, checkpointed at step 2.</summary>
    public sealed class FirstRun : IDisposable
    {
        private readonly TempDirectory _temp = new();

        public FirstRun()
        {
            var run = CliProcess.Run(["finetune", Fixtures.PathOf("mlp.onnx"), "--data", Data, "--loss", "ce", "--batch-size", "8", "--precision", "float64",
                "--optimizer", "momentum", "--lr", "0.05", "--steps", "2", "--checkpoint-every", "2", "--checkpoint", Checkpoint, "-o", _temp.File("first.onnx")]);
            if (run.ExitCode != 0) throw new InvalidOperationException($"the run the cases start from failed: {run}");
        }

        public string Checkpoint => _temp.File("first.checkpoint.pcn");

        public void Dispose() => _temp.Dispose();
    }

    private readonly TempDirectory _temp = new();

    private string Output => _temp.File("resumed.onnx");

    public void Dispose() => _temp.Dispose();

    private CliProcess.Result Resume(string checkpoint) => CliProcess.Run(["finetune", checkpoint, "--data", Data, "--steps", "4", "-o", Output]);

    private string Tampered(Action<ZipArchive> change) => TamperedCheckpoint.Write(first.Checkpoint, _temp.File("tampered.pcn"), change);

    /// <summary>Exit code, exactly one line on stderr, starting with `error:` and naming the checkpoint, the fragments in it, no output model.</summary>
    private void AssertRefused(CliProcess.Result run, string checkpoint, int exitCode, params string[] fragments)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(checkpoint, line);
        foreach (string fragment in fragments) Assert.Contains(fragment, line);
        Assert.False(File.Exists(Output), "a refused resume wrote its output model");
    }

    [Fact]
    public void The_untouched_checkpoint_resumes()
    {
        var run = Resume(first.Checkpoint);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("resumed at step 2", run.Output);
        Assert.DoesNotContain("note:", run.Output);
    }

    [Fact]
    public void A_removed_parameter_file_is_refused_rather_than_resumed_from_the_models_copy()
    {
        string checkpoint = Tampered(zip => TamperedCheckpoint.Remove(zip, "checkpoint/parameters/fc2.bias.npy"));
        AssertRefused(Resume(checkpoint), checkpoint, 2, "checkpoint/parameters/fc2.bias.npy: missing", "'fc2.bias' [16]");
    }

    [Fact]
    public void A_model_entry_swapped_for_another_model_is_refused_before_the_data_are_fitted_to_it()
    {
        // The LSTM fixture takes other inputs than the mlp's data: without the manifest the error would blame the data.
        string checkpoint = Tampered(zip => TamperedCheckpoint.Replace(zip, "model.onnx", File.ReadAllBytes(Fixtures.PathOf("lstm.onnx"))));
        AssertRefused(Resume(checkpoint), checkpoint, 2, "model.onnx: not the model this checkpoint was written with", "SHA-256");
    }

    [Fact]
    public void A_parameter_file_of_another_shape_is_refused_naming_both_shapes()
    {
        string checkpoint = Tampered(zip => TamperedCheckpoint.Replace(zip, "checkpoint/parameters/fc1.bias.npy",
            TamperedCheckpoint.Read(zip, "checkpoint/parameters/fc2.bias.npy")));
        AssertRefused(Resume(checkpoint), checkpoint, 2, "checkpoint/parameters/fc1.bias.npy", "[16]", "[32]");
    }

    [Fact]
    public void A_parameter_file_of_another_dtype_is_refused()
    {
        using var float32 = new MemoryStream();
        NpyFormat.Write(float32, new HostTensor(DataType.Float, [32], new double[32]), "fc1.bias.npy");
        string checkpoint = Tampered(zip => TamperedCheckpoint.Replace(zip, "checkpoint/parameters/fc1.bias.npy", float32.ToArray()));
        AssertRefused(Resume(checkpoint), checkpoint, 2, "checkpoint/parameters/fc1.bias.npy: holds Float values", "float64");
    }

    [Fact]
    public void A_manifest_whose_model_hash_differs_is_refused()
    {
        string checkpoint = Tampered(zip => TamperedCheckpoint.EditState(zip, state => state["manifest"]!["model_sha256"] = new string('0', 64)));
        AssertRefused(Resume(checkpoint), checkpoint, 2, "model.onnx: not the model this checkpoint was written with", "0000000000000000");
    }

    [Fact]
    public void A_manifest_whose_parameter_shape_differs_from_the_model_is_refused()
    {
        string checkpoint = Tampered(zip => TamperedCheckpoint.EditState(zip, state =>
            state["manifest"]!["parameters"]!.AsArray().Single(p => (string?)p!["name"] == "fc1.bias")!["shape"] = new JsonArray(1)));
        AssertRefused(Resume(checkpoint), checkpoint, 2, "'fc1.bias' is Float [32]; the manifest records Float [1]");
    }

    /// <summary>Run states that are not what finetune writes: today's messages name the state file and the field.</summary>
    [Theory]
    [InlineData("empty object", "checkpoint/state.json: field 'step' is missing")]
    [InlineData("negative step", "checkpoint/state.json: field 'step' is -5, not 0 or more")]
    [InlineData("missing rule", "checkpoint/state.json: field 'rule' is missing")]
    [InlineData("batch size as text", "checkpoint/state.json: field 'batch_size' is not a whole number")]
    [InlineData("not JSON", "checkpoint/state.json: not JSON")]
    [InlineData("no manifest", "checkpoint/state.json: field 'manifest' is missing")]
    public void A_run_state_that_finetune_did_not_write_is_refused_naming_the_field(string change, string fragment)
    {
        string checkpoint = Tampered(zip =>
        {
            switch (change)
            {
                case "empty object": TamperedCheckpoint.Replace(zip, TamperedCheckpoint.State, "{}"u8.ToArray()); break;
                case "not JSON": TamperedCheckpoint.Replace(zip, TamperedCheckpoint.State, "{not json"u8.ToArray()); break;
                case "negative step": TamperedCheckpoint.EditState(zip, state => state["step"] = -5); break;
                case "missing rule": TamperedCheckpoint.EditState(zip, state => state.Remove("rule")); break;
                case "batch size as text": TamperedCheckpoint.EditState(zip, state => state["batch_size"] = "eight"); break;
                case "no manifest": TamperedCheckpoint.EditState(zip, state => state.Remove("manifest")); break;
                default: throw new ArgumentException(change);
            }
        });
        AssertRefused(Resume(checkpoint), checkpoint, 2, "the checkpoint cannot be resumed", fragment);
    }

    [Fact]
    public void A_checkpoint_past_the_runs_last_step_is_a_usage_error_rather_than_an_export_of_the_checkpoint()
    {
        var run = CliProcess.Run(["finetune", first.Checkpoint, "--data", Data, "--steps", "1", "-o", Output]);
        AssertRefused(run, first.Checkpoint, 1, "--steps 1 ends the run, before step 2", "give --steps over 2");
    }

    [Fact]
    public void Resuming_on_other_data_is_refused_and_with_force_accepted_in_a_note()
    {
        // The same samples under another name: only the file differs, and that alone is refused.
        string copy = _temp.File("copy of data.npz");
        File.Copy(Data, copy);
        var refused = CliProcess.Run(["finetune", first.Checkpoint, "--data", copy, "--steps", "4", "-o", Output]);
        AssertRefused(refused, first.Checkpoint, 2, "written training on other data than --data gives", $"file {Data}, now {copy}", "give --force");

        string forcedCheckpoint = _temp.File("forced.pcn");
        var forced = CliProcess.Run(["finetune", first.Checkpoint, "--data", copy, "--steps", "4", "-o", Output, "--force",
            "--checkpoint-every", "4", "--checkpoint", forcedCheckpoint]);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains($"note: {first.Checkpoint} was written training on other data than --data gives (file {Data}, now {copy}); --force resumes it on this data", forced.Output);
        // The forced run trained on the copy, and its checkpoint says so: it resumes on the copy without --force.
        var again = CliProcess.Run(["finetune", forcedCheckpoint, "--data", copy, "--steps", "5", "-o", _temp.File("again.onnx")]);
        Assert.True(again.ExitCode == 0, again.ToString());
    }

    [Fact]
    public void Data_whose_first_batch_differs_are_named_as_such()
    {
        var arrays = Fixtures.Arrays("mlp.ce.npz");
        var x = arrays["x"];
        double[] changed = (double[])x.Values.Clone();
        changed[0] += 1;
        string altered = _temp.File("altered.npz");
        NpzArchive.Write(altered, [new("x", new HostTensor(x.ElementType, x.Shape, changed)), new("y", arrays["y"])]);
        var run = CliProcess.Run(["finetune", first.Checkpoint, "--data", altered, "--steps", "4", "-o", Output]);
        AssertRefused(run, first.Checkpoint, 2, "the first batch's samples differ", "give --force");
    }

    [Fact]
    public void A_checkpoint_from_before_manifests_resumes_to_the_same_parameters_with_a_note()
    {
        // The format before version 5: the same entries, a state without the manifest.
        string legacy = Tampered(zip => TamperedCheckpoint.EditState(zip, state =>
        {
            state.Remove("manifest");
            state["version"] = 4;
        }));
        var old = Resume(legacy);
        Assert.True(old.ExitCode == 0, old.ToString());
        Assert.Contains($"note: {legacy} was written before checkpoints carried a manifest (run state version 4)", old.Output);
        Assert.Contains("resumed at step 2", old.Output);

        string current = _temp.File("current.onnx");
        var now = CliProcess.Run(["finetune", first.Checkpoint, "--data", Data, "--steps", "4", "-o", current]);
        Assert.True(now.ExitCode == 0, now.ToString());
        var a = ZilOnnx.Converter.Onnx.OnnxModelFile.Load(Output).Graph.Initializer.ToDictionary(t => t.Name);
        var b = ZilOnnx.Converter.Onnx.OnnxModelFile.Load(current).Graph.Initializer.ToDictionary(t => t.Name);
        Assert.Equal(b.Keys.Order(), a.Keys.Order());
        foreach (var (name, tensor) in a)
            Assert.True(tensor.RawData.Equals(b[name].RawData), $"parameter {name} differs between the legacy and the current checkpoint's resume");
    }
}
