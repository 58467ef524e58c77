using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using ZilOnnx.Converter.IO;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Checkpoints;

/// <summary>Where a run stands: enough to resume it with the same batches, optimizer state and learning rates.</summary>
/// <param name="LearningRateSchedule">The schedule's canonical text (<see cref="Optimizers.LearningRateSchedule"/>), its T filled
/// in.</param>
/// <param name="ValidationSplit">The fraction held out with --val-split (its samples are not trained on), or null.</param>
/// <param name="Version">The state's format: 1 before weight decay, momentum and schedule were recorded (a state
/// without them reads with the defaults, which is what those runs used), 2 with them, 3 with the held-out split
/// (null before: no earlier run held data out), 4 with the inference steps and rate of rule il (null for the other
/// rules, and before: no earlier run used il), 5 with the <see cref="Manifest"/> (required from then on), 6 with the
/// loss's reduction, class axis and label smoothing (null before, and when not given: the defaults, which is what
/// earlier runs used), 7 with --augment (null: none; a state before 7 did not record it, and takes the one given), 8 with the image
/// preprocessing options (null: none; before 8, the ones given).
/// Save stamps the current one.</param>
public sealed record CheckpointState(long Step, string Rule, string Loss, string Optimizer, double LearningRate, int BatchSize,
    bool Shuffle, int Seed, string Precision, double WeightDecay = 0, double Momentum = OptimizerFactory.DefaultMomentum,
    string LearningRateSchedule = "constant", double? ValidationSplit = null, int Version = 1)
{
    public const int CurrentVersion = 8;

    /// <summary>The first version whose states record <see cref="Augment"/>.</summary>
    public const int AugmentVersion = 7;

    /// <summary>The first version whose states record <see cref="Preprocess"/>.</summary>
    public const int PreprocessVersion = 8;

    /// <summary>The first version whose states carry a <see cref="Manifest"/>.</summary>
    public const int ManifestVersion = 5;

    /// <summary>T of rule il (--inference-steps), or null for the other rules.</summary>
    public int? InferenceSteps { get; init; }

    /// <summary>The inference rate of rule il (--gamma), or null for the other rules.</summary>
    public double? Gamma { get; init; }

    /// <summary>The energy-change stop of rule il (--tol), or null when it relaxes all T steps (and for the other rules).</summary>
    public double? EnergyTolerance { get; init; }

    /// <summary>The weight S of the output energy (--output-weight) of a rule with relaxed dynamics, or null for the others.</summary>
    public double? OutputWeight { get; init; }

    /// <summary>K of rule zil+pc (--pc-steps), or null for the other rules.</summary>
    public int? PcSteps { get; init; }

    /// <summary>
    /// Whether every node reading a shared initializer trains its own copy (--untie). The checkpoint's model is already
    /// untied; the setting is kept so that a resumed run continues it and a contrary --untie is refused.
    /// </summary>
    public bool Untie { get; init; }

    /// <summary>The class count of the head --num-classes put in (the checkpoint's model already has it), or null.</summary>
    public int? NumClasses { get; init; }

    /// <summary>
    /// The initializers frozen by --freeze, --train or --train-last (the run resumes with the same ones), or null when all train.
    /// </summary>
    public IReadOnlyList<string>? Frozen { get; init; }

    /// <summary>--bn: "batch" or "frozen", or null where each BatchNormalization kept what its node says.</summary>
    public string? BatchNorm { get; init; }

    /// <summary>The loss's --reduction (sample or mean), or null for the default, sample.</summary>
    public string? Reduction { get; init; }

    /// <summary>ce's --class-axis, or null for the default by the output's rank.</summary>
    public int? ClassAxis { get; init; }

    /// <summary>ce's --label-smoothing, or null when not given.</summary>
    public double? LabelSmoothing { get; init; }

    /// <summary>--augment in its canonical form (<see cref="Data.Preprocessing.ImageAugmentation.Describe"/>), or null for none.</summary>
    public string? Augment { get; init; }

    /// <summary>
    /// The image preprocessing options (--resize, --center-crop, --mean, --std, --layout) as the JSON of
    /// <see cref="Data.Preprocessing.ImagePreprocessing"/>, or null for none: a resumed run prepares its images as the
    /// run it continues did.
    /// </summary>
    public string? Preprocess { get; init; }

    /// <summary>The loss these settings make.</summary>
    public LossSettings ToLossSettings() =>
        new(Loss, LossReductions.Parse(Reduction ?? LossReduction.Sample.Name()), ClassAxis, LabelSmoothing);

    /// <summary>
    /// What the checkpoint was written from (<see cref="Checkpoint.Save"/> fills it in), or null in a state from before version 5.
    /// </summary>
    public CheckpointManifest? Manifest { get; init; }
}

/// <summary>
/// A checkpoint is a .pcn file (so it is also a model any command accepts) with extra entries: the run's
/// state, the parameters in full training precision (the ONNX entry keeps the initializers' own types) and
/// the optimizer's state. It is written atomically: a kill during the write leaves the previous checkpoint.
/// </summary>
public static class Checkpoint
{
    public const string StateEntry = "checkpoint/state.json";
    public const string ParameterPrefix = "checkpoint/parameters/";
    private const string OptimizerPrefix = "checkpoint/optimizer/";
    private const string Npy = ".npy";

    /// <param name="data">The data the run trains on, and <paramref name="commandLine"/> the command line that runs it,
    /// for the manifest (<see cref="CheckpointManifest"/>); the model's hash and parameters are taken here.</param>
    public static void Save(string path, PcnModel model, IOptimizer optimizer, CheckpointState state, DataIdentity data,
        IReadOnlyList<string> commandLine)
    {
        byte[] onnx = ModelExport.WithInitializers(model.Graph.Model, model.ExportParameters()).ToByteArray();
        var parameters = model.Graph.Parameters
            .Select(p => new ParameterRecord(p.Name, p.Shape, p.Initial.ElementType.ToString())).ToList();
        var manifest = new CheckpointManifest(Convert.ToHexStringLower(SHA256.HashData(onnx)), parameters, data, commandLine);
        var stamped = state with { Version = CheckpointState.CurrentVersion, Manifest = manifest };
        var entries = new Dictionary<string, byte[]> { [StateEntry] = JsonSerializer.SerializeToUtf8Bytes(stamped, PcnArchive.Json) };
        foreach (var (name, value) in model.Parameters) entries[ParameterFile(name)] = ToNpy(value);
        foreach (var (name, value) in optimizer.State) entries[OptimizerPrefix + name + Npy] = ToNpy(value);
        PcnArchive.Write(path, onnx, model.Graph, entries);
    }

    /// <summary>
    /// Whether <paramref name="path"/> is a checkpoint (a regular .pcn file with a run state), read from the zip's
    /// directory alone; false for anything else, which loading the model then judges.
    /// </summary>
    public static bool IsCheckpointFile(string path)
    {
        // A pipe or a device is never opened: reading one would not end.
        if (!path.EndsWith(".pcn", StringComparison.OrdinalIgnoreCase)
            || PathStatus.Of(path, followLinks: true).Kind != PathKind.RegularFile) return false;
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

    /// <summary>
    /// The state stored in a .pcn's entries, checked field by field (<see cref="CheckpointStateReader"/>), or null when
    /// the file is a plain converted model.
    /// </summary>
    public static CheckpointState? ReadState(IReadOnlyDictionary<string, byte[]> entries) =>
        entries.TryGetValue(StateEntry, out var json) ? CheckpointStateReader.Read(json, StateEntry) : null;

    /// <summary>
    /// Before anything else is loaded: the model entry and the parameter files against the manifest, so that a
    /// checkpoint whose model was swapped or whose parameter file was removed is refused rather than resumed as
    /// another run. A state without a manifest (before version 5) has nothing to check against.
    /// </summary>
    /// <param name="modelSha256">SHA-256 of the checkpoint's model entry as read (<see cref="PcnArchive.Read"/>).</param>
    public static void CheckManifest(IReadOnlyDictionary<string, byte[]> entries, string modelSha256, CheckpointState state)
    {
        if (state.Manifest is not { } manifest) return;
        if (modelSha256 != manifest.ModelSha256)
            throw new DataFormatException(PcnArchive.ModelEntry, null,
                $"not the model this checkpoint was written with: its SHA-256 is {Short(modelSha256)}, " +
                $"the manifest records {Short(manifest.ModelSha256)}");
        foreach (var parameter in manifest.Parameters)
            if (!entries.ContainsKey(ParameterFile(parameter.Name)))
                throw new DataFormatException(ParameterFile(parameter.Name), null,
                    $"missing: the manifest lists the parameter '{parameter.Name}' " +
                    $"{parameter.ShapeText}, whose full-precision value this file holds");
        var listed = manifest.Parameters.Select(p => ParameterFile(p.Name)).ToHashSet();
        if (entries.Keys.Where(k => k.StartsWith(ParameterPrefix)).Order(StringComparer.Ordinal)
                .FirstOrDefault(k => !listed.Contains(k)) is { } extra)
            throw new DataFormatException(extra, null, "not in the manifest: the checkpoint was not written with this parameter");
    }

    /// <summary>
    /// Puts the full-precision parameters and the optimizer state back. Every parameter of the model must have its
    /// float64 file, of its shape, and every file a parameter of the model; with a manifest, the model's parameters
    /// must also be the ones it lists.
    /// </summary>
    public static void Restore(IReadOnlyDictionary<string, byte[]> entries, PcnModel model, IOptimizer optimizer, long steps,
        CheckpointManifest? manifest = null)
    {
        if (manifest != null) CheckParametersAgainstManifest(model, manifest);
        var saved = new Dictionary<string, HostTensor>();
        foreach (var (name, bytes) in entries.Where(e => e.Key.StartsWith(ParameterPrefix)).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            string parameter = name[ParameterPrefix.Length..^Npy.Length];
            if (!model.Parameters.TryGetValue(parameter, out var target))
                throw new DataFormatException(name, null, $"the model has no parameter '{parameter}'");
            var host = FromNpy(bytes, name);
            if (host.ElementType != TensorProto.Types.DataType.Double)
                throw new DataFormatException(name, null,
                    $"holds {host.ElementType} values; a checkpoint saves parameters as float64 (Double)");
            if (!host.Shape.SequenceEqual(target.shape))
                throw new DataFormatException(name, null, $"holds a [{string.Join(", ", host.Shape)}] array; " +
                    $"the model's '{parameter}' is [{string.Join(", ", target.shape)}]");
            saved[parameter] = host;
        }
        if (model.Graph.Parameters.FirstOrDefault(p => !saved.ContainsKey(p.Name)) is { } missing)
            throw new DataFormatException(ParameterFile(missing.Name), null,
                $"missing: the model's parameter '{missing.Name}' has no saved full-precision value");

        using var _ = no_grad();
        foreach (var (parameter, host) in saved) model.Parameters[parameter].copy_(model.ToTensor(host));
        var state = entries.Where(e => e.Key.StartsWith(OptimizerPrefix))
            .ToDictionary(e => e.Key[OptimizerPrefix.Length..^Npy.Length], e => model.ToTensor(FromNpy(e.Value, e.Key)));
        optimizer.Restore(state, steps);
    }

    /// <summary>The model built from the checkpoint's entry against the manifest: the same names, shapes and element types.</summary>
    private static void CheckParametersAgainstManifest(PcnModel model, CheckpointManifest manifest)
    {
        var listed = manifest.Parameters.ToDictionary(p => p.Name);
        foreach (var parameter in model.Graph.Parameters)
        {
            if (!listed.Remove(parameter.Name, out var record))
                throw new DataFormatException(PcnArchive.ModelEntry, null,
                    $"the model's parameter '{parameter.Name}' is not in the manifest");
            var actual = new ParameterRecord(parameter.Name, parameter.Shape, parameter.Initial.ElementType.ToString());
            if (!actual.Shape.SequenceEqual(record.Shape) || actual.Dtype != record.Dtype)
                throw new DataFormatException(PcnArchive.ModelEntry, null,
                    $"the model's parameter '{parameter.Name}' is {actual.Dtype} {actual.ShapeText}; " +
                    $"the manifest records {record.Dtype} {record.ShapeText}");
        }
        if (listed.Keys.FirstOrDefault() is { } gone)
            throw new DataFormatException(PcnArchive.ModelEntry, null, $"the model has no parameter '{gone}', which the manifest lists");
    }

    private static string ParameterFile(string parameter) => ParameterPrefix + parameter + Npy;

    /// <summary>Enough of a hash to tell two apart in a message.</summary>
    private static string Short(string sha256) => sha256.Length > 16 ? sha256[..16] + "..." : sha256;

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
