using System.Text.Json;
using ZilOnnx.Converter.IO;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Checkpoints;

/// <summary>Where a run stands: enough to resume it with the same batches, optimizer state and learning rates.</summary>
/// <param name="LearningRateSchedule">The schedule's canonical text (<see cref="Optimizers.LearningRateSchedule"/>), its T filled in.</param>
/// <param name="ValidationSplit">The fraction held out with --val-split (its samples are not trained on), or null.</param>
/// <param name="Version">The state's format: 1 before weight decay, momentum and schedule were recorded (a state
/// without them reads with the defaults, which is what those runs used), 2 with them, 3 with the held-out split
/// (null before: no earlier run held data out), 4 with the inference steps and rate of rule il (null for the other
/// rules, and before: no earlier run used il). Save stamps the current one.</param>
public sealed record CheckpointState(long Step, string Rule, string Loss, string Optimizer, double LearningRate, int BatchSize,
    bool Shuffle, int Seed, string Precision, double WeightDecay = 0, double Momentum = OptimizerFactory.DefaultMomentum,
    string LearningRateSchedule = "constant", double? ValidationSplit = null, int Version = 1)
{
    public const int CurrentVersion = 4;

    /// <summary>T of rule il (--inference-steps), or null for the other rules.</summary>
    public int? InferenceSteps { get; init; }

    /// <summary>The inference rate of rule il (--gamma), or null for the other rules.</summary>
    public double? Gamma { get; init; }

    /// <summary>The energy-change stop of rule il (--tol), or null when it relaxes all T steps (and for the other rules).</summary>
    public double? EnergyTolerance { get; init; }
}

/// <summary>
/// A checkpoint is a .pcn file (so it is also a model any command accepts) with extra entries: the run's
/// state, the parameters in full training precision (the ONNX entry keeps the initializers' own types) and
/// the optimizer's state. It is written atomically: a kill during the write leaves the previous checkpoint.
/// </summary>
public static class Checkpoint
{
    private const string StateEntry = "checkpoint/state.json";
    private const string ParameterPrefix = "checkpoint/parameters/";
    private const string OptimizerPrefix = "checkpoint/optimizer/";

    public static void Save(string path, PcnModel model, IOptimizer optimizer, CheckpointState state)
    {
        var stamped = state with { Version = CheckpointState.CurrentVersion };
        var entries = new Dictionary<string, byte[]> { [StateEntry] = JsonSerializer.SerializeToUtf8Bytes(stamped, PcnArchive.Json) };
        foreach (var (name, value) in model.Parameters) entries[ParameterPrefix + name + ".npy"] = ToNpy(value);
        foreach (var (name, value) in optimizer.State) entries[OptimizerPrefix + name + ".npy"] = ToNpy(value);
        var onnx = ModelExport.WithInitializers(model.Graph.Model, model.ExportParameters());
        PcnArchive.Write(path, onnx, model.Graph, entries);
    }

    /// <summary>
    /// Whether <paramref name="path"/> is a checkpoint (a regular .pcn file with a run state), read from the zip's
    /// directory alone; false for anything else, which loading the model then judges.
    /// </summary>
    public static bool IsCheckpointFile(string path)
    {
        // A pipe or a device is never opened: reading one would not end.
        if (!path.EndsWith(".pcn", StringComparison.OrdinalIgnoreCase) || PathStatus.Of(path, followLinks: true).Kind != PathKind.RegularFile) return false;
        try
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(path);
            return zip.GetEntry(StateEntry) != null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever a broken or hostile zip throws, it is no checkpoint; loading it as the model says what is wrong.
            return false;
        }
    }

    /// <summary>The state stored in a .pcn's entries, or null when the file is a plain converted model.</summary>
    public static CheckpointState? ReadState(IReadOnlyDictionary<string, byte[]> entries)
    {
        if (!entries.TryGetValue(StateEntry, out var json)) return null;
        var state = JsonSerializer.Deserialize<CheckpointState>(json, PcnArchive.Json)
            ?? throw new DataFormatException(StateEntry, null, "the checkpoint's run state is empty");
        // A newer state may hold settings this version would silently drop, and then not continue the run.
        return state.Version <= CheckpointState.CurrentVersion ? state
            : throw new DataFormatException(StateEntry, null, $"run state version {state.Version} is newer than this zilonnx reads ({CheckpointState.CurrentVersion})");
    }

    /// <summary>Puts the full-precision parameters and the optimizer state back.</summary>
    public static void Restore(IReadOnlyDictionary<string, byte[]> entries, PcnModel model, IOptimizer optimizer, long steps)
    {
        using var _ = no_grad();
        foreach (var (name, bytes) in entries.Where(e => e.Key.StartsWith(ParameterPrefix)))
        {
            string parameter = name[ParameterPrefix.Length..^".npy".Length];
            if (model.Parameters.TryGetValue(parameter, out var target)) target.copy_(model.ToTensor(FromNpy(bytes, name)));
        }
        var state = entries.Where(e => e.Key.StartsWith(OptimizerPrefix))
            .ToDictionary(e => e.Key[OptimizerPrefix.Length..^".npy".Length], e => model.ToTensor(FromNpy(e.Value, e.Key)));
        optimizer.Restore(state, steps);
    }

    private static byte[] ToNpy(Tensor value)
    {
        using var cpu = value.detach().to(ScalarType.Float64, CPU).contiguous();
        var host = new HostTensor(TensorProto.Types.DataType.Double, cpu.shape, cpu.data<double>().ToArray());
        using var buffer = new MemoryStream();
        NpyFormat.Write(buffer, host, "checkpoint");
        return buffer.ToArray();
    }

    private static HostTensor FromNpy(byte[] bytes, string name)
    {
        using var stream = new MemoryStream(bytes);
        return NpyFormat.Read(stream, name);
    }
}
