using ZilOnnx.Trainer.Compute;

namespace ZilOnnx.Trainer.Library;

/// <summary>
/// How a <see cref="ZilNetwork"/> trains: the options of `zilonnx finetune` a library user needs first, with the same
/// names and defaults (docs/cli.md), except the device, which is the CPU unless asked.
/// </summary>
public sealed record NetworkOptions
{
    /// <summary>bp, zil, zil-relaxed, fa-zil or il (<see cref="Rules.RuleFactory.Names"/>).</summary>
    public string Rule { get; init; } = "zil";
    /// <summary>mse, ce, bce or l1 (<see cref="Losses.LossSettings.Names"/>).</summary>
    public string Loss { get; init; } = "ce";
    public int BatchSize { get; init; } = 32;
    /// <summary>Plain SGD's learning rate; with <see cref="Momentum"/> over 0, SGD with momentum.</summary>
    public double LearningRate { get; init; } = 0.01;
    public double Momentum { get; init; }
    public Precision Precision { get; init; } = Precision.Float32;
    /// <summary>cpu, cuda, cuda:N or auto, as `--device`.</summary>
    public string Device { get; init; } = "cpu";
    public bool Shuffle { get; init; } = true;
    public int Seed { get; init; }
    /// <summary>Check every N-th step against backprop (0: never), as `--verify-every`.</summary>
    public int VerifyEvery { get; init; } = 1;
    /// <summary>The largest relative divergence from backprop accepted; null: 1e-4 in float32, 1e-10 in float64.</summary>
    public double? Tolerance { get; init; }
    /// <summary>Run a verified zil step's check beside Z-IL's sweep, each on half the CPU threads, as `--verify-beside`.</summary>
    public bool VerifyBeside { get; init; }
}
