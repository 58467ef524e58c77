using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Trainer.Checkpoints;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Trainer.Checkpoints;

/// <summary>The run state's JSON across versions of the checkpoint format.</summary>
public sealed class CheckpointStateTests
{
    private static Dictionary<string, byte[]> Entries(string json) => new() { ["checkpoint/state.json"] = Encoding.UTF8.GetBytes(json) };

    private const string Version1 = """
        { "step": 5, "rule": "zil", "loss": "ce", "optimizer": "momentum", "learning_rate": 0.05, "batch_size": 8,
          "shuffle": false, "seed": 0, "precision": "float64" }
        """;

    [Fact]
    public void A_state_from_before_weight_decay_and_schedules_reads_with_the_settings_those_runs_had()
    {
        var state = Checkpoint.ReadState(Entries(Version1))!;
        Assert.Equal(5, state.Step);
        Assert.Equal(0, state.WeightDecay);
        Assert.Equal(0.9, state.Momentum);
        Assert.Equal("constant", state.LearningRateSchedule);
        Assert.Equal(1, state.Version);
    }

    [Fact]
    public void A_state_from_a_newer_format_is_refused_rather_than_half_read()
    {
        string newer = Version1.Replace("\"step\": 5", $"\"version\": {CheckpointState.CurrentVersion + 1}, \"step\": 5");
        var error = Assert.Throws<DataFormatException>(() => Checkpoint.ReadState(Entries(newer)));
        Assert.Contains("newer", error.Message);
    }

    /// <summary>A state as Save writes it now: with a manifest.</summary>
    private static string Current()
    {
        var manifest = new CheckpointManifest(new string('a', 64), [new ParameterRecord("w", [2, 3], "Float")],
            new DataIdentity("/data/x.npz", 100, 10, new string('b', 64)), ["finetune", "m.onnx"]);
        var state = new CheckpointState(5, "zil", "ce", "sgd", 0.01, 8, true, 0, "float32", Version: CheckpointState.CurrentVersion) { Manifest = manifest };
        return Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(state, PcnArchive.Json));
    }

    private static string Edit(Action<JsonObject> edit)
    {
        var state = JsonNode.Parse(Current())!.AsObject();
        edit(state);
        return state.ToJsonString();
    }

    [Fact]
    public void A_current_state_reads_back_with_its_manifest()
    {
        var state = Checkpoint.ReadState(Entries(Current()))!;
        Assert.Equal(CheckpointState.CurrentVersion, state.Version);
        Assert.Equal("/data/x.npz", state.Manifest!.Data.Path);
        Assert.Equal([2L, 3L], state.Manifest.Parameters.Single().Shape);
        Assert.Equal(["finetune", "m.onnx"], state.Manifest.CommandLine);
    }

    /// <summary>Each field out of what Save writes: one message naming the state entry and the field, never a default or an internal error.</summary>
    public static TheoryData<string, string> Broken => new()
    {
        { "{}", "field 'step' is missing" },
        { "[]", "not a JSON object but a list" },
        { "{not json", "not JSON" },
        { "", "not JSON" },
        { Edit(s => s["step"] = -5), "field 'step' is -5, not 0 or more" },
        { Edit(s => s["step"] = 1.5), "field 'step' is not a whole number" },
        { Edit(s => s["step"] = "5"), "field 'step' is not a whole number" },
        { Edit(s => s.Remove("rule")), "field 'rule' is missing" },
        { Edit(s => s["rule"] = null), "field 'rule' is missing" },
        { Edit(s => s["rule"] = "magic"), "field 'rule' holds no setting this zilonnx knows: rule 'magic'" },
        { Edit(s => s["loss"] = "hinge"), "field 'loss' holds no setting" },
        { Edit(s => s["optimizer"] = "lion"), "field 'optimizer' holds no setting" },
        { Edit(s => s["precision"] = "float8"), "field 'precision' holds no setting" },
        { Edit(s => s["learning_rate_schedule"] = "step:0:1"), "field 'learning_rate_schedule' holds no setting" },
        { Edit(s => s["learning_rate"] = -1), "field 'learning_rate' is -1, not a finite number over 0" },
        { Edit(s => s["batch_size"] = 0), "field 'batch_size' is 0, not 1 or more" },
        { Edit(s => s["batch_size"] = "eight"), "field 'batch_size' is not a whole number" },
        { Edit(s => s["shuffle"] = "yes"), "field 'shuffle' is not true or false" },
        { Edit(s => s["weight_decay"] = -0.1), "field 'weight_decay' is -0.1" },
        { Edit(s => s["momentum"] = -1), "field 'momentum' is -1" },
        { Edit(s => s["validation_split"] = 1), "field 'validation_split' is 1, not strictly between 0 and 1" },
        { Edit(s => s["inference_steps"] = 0), "field 'inference_steps' is 0, not 1 or more" },
        { Edit(s => s["gamma"] = 2), "field 'gamma' is 2, not in (0, 1]" },
        { Edit(s => s["energy_tolerance"] = -1), "field 'energy_tolerance' is -1" },
        { Edit(s => s["version"] = 0), "field 'version' is 0; versions start at 1" },
        { Edit(s => s["version"] = "5"), "field 'version' is not a whole number" },
        { Edit(s => s.Remove("manifest")), "field 'manifest' is missing (every state of version 5 or later has one)" },
        { Edit(s => s["manifest"] = "x"), "field 'manifest' is not an object" },
        { Edit(s => s["manifest"]!["model_sha256"] = "abc"), "field 'manifest.model_sha256' is 'abc', not a SHA-256 in 64 hex digits" },
        { Edit(s => s["manifest"]!.AsObject().Remove("parameters")), "field 'manifest.parameters' is missing" },
        { Edit(s => s["manifest"]!["parameters"]![0]!["shape"] = new JsonArray("a")), "field 'manifest.parameters[0].shape[0]' is not a whole number" },
        { Edit(s => s["manifest"]!["parameters"]![0]!["shape"] = new JsonArray(-1)), "field 'manifest.parameters[0].shape' is not a list of dimensions of 0 or more" },
        { Edit(s => s["manifest"]!["parameters"]!.AsArray().Add(JsonNode.Parse("""{"name": "w", "shape": [1], "dtype": "Float"}"""))), "field 'manifest.parameters[1].name' repeats the parameter 'w'" },
        { Edit(s => s["manifest"]!.AsObject().Remove("data")), "field 'manifest.data' is missing" },
        { Edit(s => s["manifest"]!["data"]!["samples"] = 0), "field 'manifest.data.samples' is 0, not 1 or more" },
        { Edit(s => s["manifest"]!["data"]!["size"] = "big"), "field 'manifest.data.size' is not a whole number" },
        { Edit(s => s["manifest"]!.AsObject().Remove("command_line")), "field 'manifest.command_line' is not a list of strings" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_state_that_save_did_not_write_is_refused_naming_the_field(string json, string fragment)
    {
        var error = Assert.Throws<DataFormatException>(() => Checkpoint.ReadState(Entries(json)));
        Assert.StartsWith("checkpoint/state.json: ", error.Message);
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void A_plain_model_has_no_state()
    {
        Assert.Null(Checkpoint.ReadState(new Dictionary<string, byte[]>()));
    }
}
