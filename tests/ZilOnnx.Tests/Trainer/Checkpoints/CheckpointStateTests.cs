using System.Text;
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

    [Fact]
    public void A_plain_model_has_no_state()
    {
        Assert.Null(Checkpoint.ReadState(new Dictionary<string, byte[]>()));
    }
}
