using System.Text.Json.Nodes;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Robustness;

/// <summary>
/// One fault around a run (docs/robustness.md, "Faults around a run"): the files it needs, made in an empty folder,
/// the command given there, and the exit code it must end with.
/// </summary>
/// <param name="Arguments">The command line after `zilonnx`, run in the case's folder; words split at spaces.</param>
public sealed record RunFault(string Section, string Id, string Fault, string Arguments, int ExitCode, Action<string>? Setup = null)
{
    public override string ToString() => Id;
}

/// <summary>
/// The faults a careful tester finds around a run: outputs that would destroy what a user owns, data that cannot be
/// held, option values that make no sense, runs that diverge and checkpoints that are not what was written. Each folder
/// holds `model.onnx` (the shipped LeNet-5) and `data.npz` (32 samples that fit it) before the case's own setup.
/// </summary>
public static class RunFaults
{
    public const string Model = "model.onnx", Data = "data.npz";
    private const string Train = $"finetune {Model} --data {Data} --steps 1 --batch-size 8";

    public static readonly string[] Sections = ["Outputs", "Data", "Memory", "Option values", "Divergence", "Checkpoints"];

    public static readonly RunFault[] All =
    [
        new("Outputs", "output-fifo", "`-o` names a named pipe", $"{Train} -o out.onnx", 2, d => Fifo.Make(Path.Combine(d, "out.onnx"))),
        new("Outputs", "output-symlink", "`-o` names a symbolic link", $"{Train} -o link.onnx", 2,
            d => { File.WriteAllText(Path.Combine(d, "target.onnx"), "the user's file"); File.CreateSymbolicLink(Path.Combine(d, "link.onnx"), "target.onnx"); }),
        new("Outputs", "output-missing-folder", "`-o` in a folder that does not exist", $"{Train} -o missing/out.onnx", 2),
        new("Outputs", "output-is-model", "`-o` names the input model", $"{Train} -o {Model}", 1),
        new("Outputs", "checkpoint-is-model", "`--checkpoint` names the input model", $"{Train} -o out.onnx --checkpoint {Model}", 2),
        new("Outputs", "checkpoint-hard-link", "`--checkpoint` names a hard link to the input model", $"{Train} -o out.onnx --checkpoint hard.onnx", 2,
            d => HardLink.Make(Path.Combine(d, Model), Path.Combine(d, "hard.onnx"))),
        new("Outputs", "metrics-is-data", "`--metrics` names the training data", $"{Train} -o out.onnx --metrics {Data}", 2),
        new("Outputs", "plot-is-output", "`--plot` and `-o` name the same file", $"{Train} -o out.onnx --plot out.onnx", 2),
        new("Data", "data-fifo", "`--data` names a named pipe nobody writes to", $"finetune {Model} --data pipe.npz --steps 1 -o out.onnx", 2,
            d => Fifo.Make(Path.Combine(d, "pipe.npz"))),
        new("Data", "data-zip-bomb", "a 4.5 MB .npz whose x declares 1.5M x 1x28x28 float32 (4.7 GB)", $"finetune {Model} --data bomb.npz --steps 1 -o out.onnx", 2,
            d => Cli.Commands.BoundedDataTests.ZipBomb.Write(Path.Combine(d, "bomb.npz"))),
        new("Data", "data-over-budget", "data larger than `--max-data-gb`", $"{Train} -o out.onnx --max-data-gb 0.00001", 2),
        new("Data", "data-nan", "NaN in the inputs", $"eval {Model} --data nan.npz --provider cpu", 2,
            d => WriteData(Path.Combine(d, "nan.npz"), x => x[100] = double.NaN, _ => { })),
        new("Data", "label-out-of-range", "a label beyond the model's classes", $"eval {Model} --data labels.npz --provider cpu", 2,
            d => WriteData(Path.Combine(d, "labels.npz"), _ => { }, y => y[2] = 12)),
        new("Memory", "step-over-memory", "a training step that cannot fit in memory",
            $"finetune {Model} --data {Data} --batch-size 400000 --precision float64 --rule il --steps 1 -o out.onnx", 2),
        new("Option values", "lr-float32-overflow", "`--lr` beyond float32", $"{Train} -o out.onnx --lr 1e39", 1),
        new("Option values", "lr-nan", "`--lr nan`", $"{Train} -o out.onnx --lr nan", 1),
        new("Option values", "lr-negative", "`--lr -1`", $"{Train} -o out.onnx --lr -1", 1),
        new("Option values", "batch-size-fraction", "`--batch-size 1.5`", $"finetune {Model} --data {Data} --steps 1 -o out.onnx --batch-size 1.5", 1),
        new("Option values", "checkpoint-every-negative", "`--checkpoint-every -1`", $"{Train} -o out.onnx --checkpoint-every -1", 1),
        new("Option values", "tolerance-negative", "`verify --tolerance -1`", $"verify {Model} --data {Data} --batch-size 8 --tolerance -1", 1),
        new("Option values", "init-noise-nan", "`--ablate init-noise=nan`", $"verify {Model} --data {Data} --batch-size 8 --ablate init-noise=nan", 1),
        new("Divergence", "loss-growth", "the loss grows 1e4-fold (`--lr 10`)", $"finetune {Model} --data {Data} --steps 10 --batch-size 8 --lr 10 -o out.onnx", 4),
        new("Checkpoints", "checkpoint-state-empty", "a checkpoint whose run state is `{}`", $"finetune empty-state.pcn --data {Data} --steps 4 -o out.onnx", 2,
            d => Checkpoint(d, "empty-state.pcn", zip => TamperedCheckpoint.Replace(zip, TamperedCheckpoint.State, "{}"u8.ToArray()))),
        new("Checkpoints", "checkpoint-step-negative", "a checkpoint at step -5", $"finetune negative-step.pcn --data {Data} --steps 4 -o out.onnx", 2,
            d => Checkpoint(d, "negative-step.pcn", zip => TamperedCheckpoint.EditState(zip, state => state["step"] = -5))),
        new("Checkpoints", "checkpoint-parameter-removed", "a checkpoint missing one parameter's file",
            $"finetune no-bias.pcn --data {Data} --steps 4 -o out.onnx", 2,
            d => Checkpoint(d, "no-bias.pcn", zip => TamperedCheckpoint.Remove(zip, "checkpoint/parameters/fc3.bias.npy"))),
        new("Checkpoints", "checkpoint-other-data", "resuming on other data", $"finetune run.pcn --data other.npz --steps 4 -o out.onnx", 2,
            d => { Checkpoint(d, "run.pcn", _ => { }); WriteData(Path.Combine(d, "other.npz"), x => x[0] += 1, _ => { }); }),
    ];

    /// <summary>A copy of data.npz with its x and y changed.</summary>
    private static void WriteData(string path, Action<double[]> changeInputs, Action<double[]> changeLabels)
    {
        var arrays = ZilOnnx.Trainer.Data.NpzArchive.Read(Fixtures.PathOf("lenet5.ce.npz"));
        changeInputs(arrays["x"].Values);
        changeLabels(arrays["y"].Values);
        ZilOnnx.Trainer.Data.NpzArchive.Write(path, arrays);
    }

    /// <summary>A checkpoint written by a real 2-step run in the folder, copied to <paramref name="name"/> with a change.</summary>
    private static void Checkpoint(string folder, string name, Action<System.IO.Compression.ZipArchive> change)
    {
        string original = Path.Combine(folder, "written.checkpoint.pcn");
        if (!File.Exists(original))
        {
            var run = CliProcess.Run(["finetune", Path.Combine(folder, Model), "--data", Path.Combine(folder, Data), "--steps", "2", "--batch-size", "8",
                "--checkpoint-every", "1", "--checkpoint", original, "-o", Path.Combine(folder, "written.onnx"), "--quiet"]);
            if (run.ExitCode != 0) throw new InvalidOperationException($"the run that writes the checkpoint failed: {run}");
        }
        TamperedCheckpoint.Write(original, Path.Combine(folder, name), change);
    }
}
