using System.Text.Json.Serialization;

namespace ZilOnnx.Trainer.Checkpoints;

/// <summary>
/// What a checkpoint was written from, so that resuming it can tell when something no longer matches: the model
/// entry (<c>model.onnx</c>) by its hash, the parameters it saved, the data it trained on and the command line that
/// ran it. Without it, a checkpoint whose model was swapped or whose parameter file was removed resumes a different
/// run without a word (the model's own float32 initializers stand in for the missing full-precision parameters).
/// </summary>
/// <param name="ModelSha256">SHA-256 (lower-case hex) of the <c>model.onnx</c> entry's bytes as this checkpoint
/// stores them, i.e. the model with the parameters of the checkpointed step; not the hash of the input model, which
/// the entry no longer equals after the first step and which a resume could not check.</param>
/// <param name="Parameters">Every trainable parameter, in the graph's order: each has a full-precision file
/// <c>checkpoint/parameters/NAME.npy</c> (float64, of this shape).</param>
/// <param name="Data">The training data the run took its batches from.</param>
/// <param name="CommandLine">The command line that wrote the checkpoint, as parsed (the program name left out).</param>
public sealed record CheckpointManifest(string ModelSha256, IReadOnlyList<ParameterRecord> Parameters, DataIdentity Data,
    IReadOnlyList<string> CommandLine);

/// <summary>A parameter as the model declares it: its initializer's name, shape and ONNX element type (e.g. <c>Float</c>).</summary>
public sealed record ParameterRecord(string Name, long[] Shape, string Dtype)
{
    [JsonIgnore]
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
