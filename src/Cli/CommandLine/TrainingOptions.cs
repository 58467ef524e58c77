using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Optimizers;
using ZilOnnx.Trainer.Rules;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// The options `finetune`, `verify` and `bench` share (docs/cli.md): data, loss, batch and order, precision,
/// device, optimizer and learning-rate schedule. Defined once so the commands cannot drift apart.
/// </summary>
public sealed class TrainingOptions
{
    /// <param name="dataRequired">False where the command has data of its own to fall back on (`bench`: synthetic batches).</param>
    /// <param name="augment">Whether the command trains on its data (finetune, bench) and so offers --augment.</param>
    public TrainingOptions(bool dataRequired = true, bool augment = true)
    {
        Preprocessing = new PreprocessingOptions(training: augment);
        Data = new("--data")
        {
            Description = "Training data: an .npz (x, y), a .csv/.tsv table, an IDX folder, or 'fashion-mnist'",
            Required = dataRequired
        };
        // Each item is checked as the run will read it, so that a bad one fails before any file is read.
        Ablate.Validators.Add(result =>
        {
            try { Ablation.Parse(result.GetValueOrDefault<string[]>() ?? [], seed: 0); }
            catch (ArgumentException e) { result.AddError(SettingFlags.MessageOf(e)); }
        });
    }

    /// <summary>--threads: at least one, and not so many that the cores drown in them.</summary>
    public static NumberRange ThreadLimit => NumberRange.WholeBetween(1, ThreadCount.Limit,
        $" (4 per core; this machine has {Environment.ProcessorCount})");

    public Option<string> Data { get; }
    public Option<string> Rule { get; } = new("--rule")
    {
        Description = "Learning rule: bp, zil, zil-relaxed, fa-zil (fully autonomous " +
        "Z-IL), il (classic inference learning, approximate), ipc (incremental PC), fpa (fixed prediction assumption), " +
        "zil+pc (Z-IL's step, then K relaxed steps)", DefaultValueFactory = _ => "zil"
    };
    /// <summary>--loss, --reduction, --class-axis and --label-smoothing (shared with `eval`).</summary>
    public LossOptions Losses { get; } = new();
    public Option<string> Loss => Losses.Loss;
    public Option<string> Reduction => Losses.Reduction;
    public Option<int?> ClassAxis => Losses.ClassAxis;
    public Option<double?> LabelSmoothing => Losses.LabelSmoothing;
    public Option<string> Optimizer { get; } = new("--optimizer")
    {
        Description = "Optimizer: sgd, momentum, adam",
        DefaultValueFactory = _ => "sgd"
    };
    public Option<double> LearningRate { get; } = new Option<double>("--lr")
    {
        Description = "Learning rate",
        DefaultValueFactory = _ => 0.01
    }.Within(NumberRange.Positive);
    public Option<double> Momentum { get; } = new Option<double>("--momentum")
    {
        Description = "Momentum of --optimizer momentum " +
        "(torch.optim.SGD, dampening 0)", DefaultValueFactory = _ => OptimizerFactory.DefaultMomentum
    }.Within(NumberRange.Decay);
    public Option<double> WeightDecay { get; } = new Option<double>("--weight-decay")
    {
        Description = "L2 weight decay of every " +
        "optimizer, as torch.optim's weight_decay: g = grad + W * theta", DefaultValueFactory = _ => 0
    }.Within(NumberRange.NotNegative);
    public Option<string> LearningRateSchedule { get; } = new("--lr-schedule")
    {
        Description = "constant, step:N:G (lr * G every N " +
        "steps) or cosine[:ETA_MIN[:T_MAX]] (over the run's steps)", DefaultValueFactory = _ => "constant"
    };
    public Option<int> BatchSize { get; } = new Option<int>("--batch-size")
    {
        Description = "Samples per training step",
        DefaultValueFactory = _ => 32
    }.Within(NumberRange.Count);
    public Option<int?> Epochs { get; } =
        new Option<int?>("--epochs") { Description = "Passes over the data, in whole batches (rounded up)" }
        .Within(NumberRange.Count);
    public Option<long?> Steps { get; } = new Option<long?>("--steps") { Description = "Training steps, cycling over the data" }
        .Within(NumberRange.Count);
    public Option<bool> Shuffle { get; } = new("--shuffle")
    {
        Description = "Shuffle each pass over the data, seeded by --seed (the default)"
    };
    public Option<bool> NoShuffle { get; } = new("--no-shuffle")
    {
        Description = "Batch k is samples [kB, (k+1)B) in file order, wrapping around"
    };
    public Option<string?> BatchNorm { get; } = new Option<string?>("--bn")
    {
        Description = "Statistics every BatchNormalization trains with: batch (the batch's own, running statistics updated as PyTorch's " +
            "train mode does) or frozen (the stored running statistics); default: what each node says (training_mode)",
    }.AcceptOnlyFromAmong("batch", "frozen");
    public Option<int> Seed { get; } = new("--seed")
    {
        Description = "Seed for shuffling, noise and training-mode Dropout masks",
        DefaultValueFactory = _ => 0
    };
    public Option<string> Precision { get; } = new("--precision")
    {
        Description = "float32 or float64",
        DefaultValueFactory = _ => "float32"
    };
    public Option<string> Device { get; } = new("--device")
    {
        Description = "auto, cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "auto"
    };
    public Option<int> InferenceSteps { get; } = new Option<int>("--inference-steps",
        "--T")
    {
        Description = "Inference steps: T of --rule il and ipc (default 20), the moves n of --rule fpa (default: the graph's depth)",
        DefaultValueFactory = _ => Il.DefaultInferenceSteps
    }
        .Within(NumberRange.WholeBetween(1, Il.MaxInferenceSteps));
    public Option<double> Gamma { get; } = new Option<double>("--gamma")
    {
        Description = "Inference rate of --rule il, ipc and zil+pc (default 0.1) and fpa (default 1), in (0, 1]",
        DefaultValueFactory = _ => Il.DefaultGamma
    }.Within(NumberRange.Rate);
    public Option<double?> EnergyTolerance { get; } = new Option<double?>("--tol")
    {
        Description = "--rule il: stop relaxing before T " +
        "once the energy F changes by at most this fraction in one step; the steps used are reported"
    }
        .Within(NumberRange.NotNegative);
    public Option<double> OutputWeight { get; } = new Option<double>("--output-weight")
    {
        Description = "Weight S of the output energy (F = S * loss + hidden energy) of --rule il, ipc, fpa, zil-relaxed and fa-zil; " +
            "the updates are divided by S again",
        DefaultValueFactory = _ => 1.0
    }.Within(NumberRange.Positive);
    public Option<int> PcSteps { get; } = new Option<int>("--pc-steps")
    {
        Description = "K, the relaxed steps (incremental PC) after Z-IL's step of --rule zil+pc; 0 is zil",
        DefaultValueFactory = _ => ZilPlusPc.DefaultPcSteps
    }.Within(NumberRange.WholeBetween(0, Il.MaxInferenceSteps));
    public Option<int?> Threads { get; } = new Option<int?>("--threads")
    {
        Description = "CPU threads libtorch computes with (default: one per core)"
    }.Within(ThreadLimit);
    public Option<double?> MaxDataGb { get; } = DataBudgetOption.Create();
    public Option<string?> LabelColumn { get; } = LabelColumnOption.Create();
    public PreprocessingOptions Preprocessing { get; }
    public Option<double?> Tolerance { get; } = new Option<double?>("--tolerance")
    {
        Description = "Largest relative divergence from BP accepted (default 1e-4 for float32, 1e-10 for float64)"
    }
        .Within(NumberRange.NotNegative);

    public Option<bool> VerifyBeside { get; } = new("--verify-beside")
    {
        Description = "Run backprop's backward, the check of a verified zil step, beside Z-IL's sweep, each on half the CPU threads: " +
            "faster on long walks of small operations (GRU, EfficientNet), slower on short steps and large convolutions (measure with " +
            "bench); the numbers are those of half the threads"
    };

    public Option<bool> Untie { get; } = new("--untie")
    {
        Description = "Give every node that reads a shared initializer its own " +
        "parameter (exported as separate initializers), as the framework trained them"
    };

    public Option<string[]> Ablate { get; } = new("--ablate")
    {
        Description = "Break a Z-IL condition: gamma=G, init-noise=S, schedule-shift=K, no-levelling, all-steps, last-step, " +
            "immediate-shared, all-copies",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<bool> Reinit { get; } = new("--reinit")
    {
        Description = "Train from scratch: draw every parameter afresh from --seed as torch.nn initialises its layer type"
    };

    public TransferOptions Transfer { get; } = new();

    /// <summary>The settings of the rules with relaxed dynamics, each taken by some rules only (<see cref="RuleKnobs"/>).</summary>
    public Option[] RuleSettings => [InferenceSteps, Gamma, EnergyTolerance, OutputWeight, PcSteps];

    /// <param name="except">Options the command leaves out (it has its own meaning for the name, or no use for it).</param>
    public void AddTo(Command command, params Option[] except)
    {
        foreach (Option option in (Option[])[Ablate, Data, Rule, Loss, Reduction, ClassAxis, LabelSmoothing, Optimizer, LearningRate,
            Momentum, WeightDecay, LearningRateSchedule, BatchSize, Epochs, Steps, Shuffle, NoShuffle, Seed, BatchNorm, Precision, Device,
            .. RuleSettings, Threads, Tolerance, VerifyBeside, MaxDataGb, LabelColumn, Untie, Reinit, .. Transfer.All])
            if (!except.Contains(option)) command.Options.Add(option);
        Preprocessing.AddTo(command);
        command.Validators.Add(result => PrecisionFit.Check(result, Precision, ScalarSettings(result)));
    }

    /// <summary>The settings given on the command line that the run turns into scalars of its own precision.</summary>
    private IEnumerable<(string Name, string Typed, double Value)> ScalarSettings(CommandResult command)
    {
        foreach (var option in new[] { LearningRate, WeightDecay, OutputWeight })
            if (command.GetResult(option) is { } given && OptionRanges.Given(given) is { } value)
                yield return (option.Name, OptionRanges.Typed(given), value);
        if (command.GetResult(Ablate) is { Implicit: false } ablate)
        {
            double noise;
            try { noise = Ablation.Parse(ablate.GetValueOrDefault<string[]>() ?? [], seed: 0).Dynamics.InitNoise; }
            catch (ArgumentException) { yield break; }
            // The item as typed (the last one wins, as in the parse).
            string typed = ablate.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.TrimEntries))
                .LastOrDefault(i => i.StartsWith("init-noise=", StringComparison.OrdinalIgnoreCase))?.Split('=', 2)[1]
                    ?? noise.ToString(CultureInfo.InvariantCulture);
            yield return ("--ablate init-noise", typed, noise);
        }
    }
}
