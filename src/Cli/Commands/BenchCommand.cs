using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;
using ZilOnnx.Cli.Benchmarking;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Models;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Rules;
using static TorchSharp.torch;

namespace ZilOnnx.Cli.Commands;

/// <summary>
/// `zilonnx bench MODEL [--batch-size B] [--rules bp,zil,...] [--warmup N] [--jit-quiet S] [--steps N] [--threads N] [--profile]
/// [--json]`: times each rule's training step in alternation with bp in one process (median, 10th and 90th percentile,
/// ratio to bp), measures each rule's step memory, ONNX Runtime's latency on the export against the original, and with
/// --epoch the samples per second of a full epoch of bp and zil.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var options = new TrainingOptions(dataRequired: false);
        var model = new Argument<string>("MODEL") { Description = "An .onnx or .pcn model" };
        var rules = new Option<string>("--rules")
        {
            Description = $"Rules to time, comma-separated, from " +
            $"{string.Join(", ", BenchRule.Names)} (bp is always timed)", DefaultValueFactory = _ => BenchRule.DefaultList
        };
        var warmup = new Option<int>("--warmup")
        {
            Description = "Untimed rounds of every rule at least; more follow until the JIT is " +
            "quiet (--jit-quiet)", DefaultValueFactory = _ => 30
        }
        .Within(NumberRange.CountOrZero);
        var jitQuiet = new Option<double>("--jit-quiet")
        {
            Description = "Seconds in which .NET's JIT must compile nothing before the " +
            "warm-up ends (at most 60 s of warm-up; 0: end after --warmup rounds)", DefaultValueFactory = _ => 2
        }
            .Within(NumberRange.Between(0, StepTiming.WarmupLimit.TotalSeconds, " seconds"));
        var steps = new Option<int>("--steps")
        {
            Description = "Timed rounds: each runs one training step of every rule",
            DefaultValueFactory = _ => 20
        }
            .Within(NumberRange.Count);
        var threads = new Option<int?>("--threads")
        {
            Description = "Threads of libtorch and of ONNX Runtime (default: theirs, one per core)"
        }
            .Within(TrainingOptions.ThreadLimit);
        var ortRuns = new Option<int>("--ort-runs")
        {
            Description = "ONNX Runtime runs of the original and of the exported model (0 = skip)",
            DefaultValueFactory = _ => 50,
        }
        .Within(NumberRange.CountOrZero);
        var epoch = new Option<bool>("--epoch")
        {
            Description = "Also time a full epoch of bp and of zil (verification off) on --data, else fashion-mnist"
        };
        var pipeline = new Option<bool>("--pipeline")
        {
            Description = "Also time the data pipeline alone (a pass over --data, else " +
            "fashion-mnist, batched without training) beside bp's step"
        };
        var profile = new Option<bool>("--profile")
        {
            Description = "Also run --steps rounds of bp and zil with a profile: the time of bp's forward and backward and of " +
            "zil's forward and sweep, per ONNX operator type and zil strategy"
        };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("bench",
            "Time every rule's training step against backprop's, its memory, and ONNX Runtime on the export") { model };
        // --threads: bench has its own, which sets ONNX Runtime's threads too.
        options.AddTo(command, options.Rule, options.Steps, options.Epochs, options.Ablate, options.Tolerance, options.Threads);
        foreach (Option o in new Option[] { rules, warmup, jitQuiet, steps, threads, ortRuns, epoch, pipeline,
            profile, json }) command.Options.Add(o);

        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int warmupRounds = parse.GetValue(warmup), rounds = parse.GetValue(steps), runs = parse.GetValue(ortRuns);
            double quietSeconds = parse.GetValue(jitQuiet);
            int? threadCount = parse.GetValue(threads);
            ThreadCount.Apply(threadCount);
            double[]? loadStart = LoadAverage();
            void Progress(string line) => Console.Error.WriteLine(line);

            var ruleNames = BenchRule.NamesOf(parse.GetValue(rules)!);
            using var setup = BenchSetup.Create(parse.GetValue(model)!, parse, options, totalSteps: warmupRounds + rounds, ruleNames);
            foreach (string notice in setup.Notices) Console.Error.WriteLine($"note: {notice}");
            var benchRules = BenchRule.Parse(ruleNames, setup, BenchedRule(parse, options, ruleNames));

            var graph = setup.Model.Graph;
            Progress($"{setup.Source.Path}: timing {string.Join(", ", benchRules.Select(r => r.Name))} (at least {warmupRounds} warm-up " +
                $"rounds{(quietSeconds > 0 ? ", until the JIT is quiet," : "")} and {rounds} timed rounds, batch {setup.BatchSize}, " +
                $"{get_num_threads()} thread(s))");
            var (times, warmupResult) = StepTiming.Run(setup, benchRules, warmupRounds, TimeSpan.FromSeconds(quietSeconds), rounds,
                Progress);
            OperatorProfile? operatorProfile = null;
            if (parse.GetValue(profile))
            {
                Progress($"profiling {rounds} rounds of bp and zil per operator");
                operatorProfile = OperatorProfile.Measure(setup, benchRules, rounds);
            }
            Progress("measuring each rule's step memory");
            var memory = StepTiming.Memory(setup, benchRules);

            OrtLatencyResult? ort = null;
            if (runs > 0)
            {
                Progress("timing ONNX Runtime on the original and the exported model");
                string inputName = ModelInputs.DataInputNames(setup.Source.Model)[0];
                var export = ModelExport.WithInitializers(graph.Model, setup.Model.ExportParameters());
                var input = setup.Batches[0].Inputs[inputName];
                using var feed = input.narrow(0, 0, setup.GraphBatch);
                ort = OrtLatency.Measure(setup.Source.Model.ToByteArray(), export.ToByteArray(), inputName,
                    ModelInputs.ElementType(setup.Source.Model, inputName), feed, threadCount, runs);
            }

            DataSet? passData = null;
            DataSet PassData()
            {
                if (passData != null) return passData;
                if (setup.DataSet != null) return passData = setup.DataSet;
                string dataArgument = parse.GetValue(options.Data) ?? DataSources.FashionMnist;
                string inputName = ModelInputs.DataInputNames(setup.Source.Model)[0];
                Progress($"loading {dataArgument} for a pass over the data");
                passData = DataSources.Load(dataArgument, DataSplit.Train, inputName,
                    ModelInputs.DeclaredShape(setup.Source.Model, inputName), ModelInputs.IsIntegerInput(setup.Source.Model, inputName),
                        setup.Budget,
                    parse.GetValue(options.LabelColumn), options.Preprocessing.Resolve(parse));
                foreach (string notice in passData.Notices) Console.Error.WriteLine($"note: {SettingFlags.Say(notice)}");
                return passData;
            }

            EpochResult? epochResult = null;
            if (parse.GetValue(epoch))
            {
                var data = PassData();
                Progress($"an epoch of bp and zil on {data.Source} ({data.Count} samples)");
                epochResult = EpochThroughput.Run(setup, data, ["bp", "zil"], parse.GetValue(options.Seed), Progress);
            }

            PipelineResult? pipelineResult = null;
            if (parse.GetValue(pipeline))
            {
                var data = PassData();
                Progress($"the data pipeline alone on {data.Source} ({data.Count} samples, batch {setup.BatchSize})");
                var bp = times.Single(t => t.Rule == "bp");
                pipelineResult = PipelineThroughput.Run(data, setup.BatchSize, setup.Model.DType, parse.GetValue(options.Seed),
                    setup.BatchSize / (Spread.Of(bp.Milliseconds).Median / 1000));
            }

            var bpMemory = memory["bp"];
            double Mb(long bytes) => bytes / (1024.0 * 1024.0);
            var reports = times.Select(t =>
            {
                var rule = benchRules.Single(r => r.Name == t.Rule);
                var m = memory[t.Rule];
                var spread = Spread.Of(t.Milliseconds);
                return new RuleReport(t.Rule, spread, Spread.Of(t.RatiosToBp), setup.BatchSize / (spread.Median / 1000),
                    m is { } mm ? Mb(mm.Rise) : null, m is { } mp ? Mb(mp.Peak) : null,
                    m is { } a && bpMemory is { } b && b.Rise > 0 ? (double)a.Rise / b.Rise : null,
                    rule.MaxDivergence, rule.Rule switch { Il il => il.InferenceSteps, Ipc ipc => ipc.InferenceSteps, _ => null },
                    rule.Rule switch { Il il => il.Gamma, Ipc ipc => ipc.Gamma, _ => null })
                {
                    StepMemoryEstimateMb = Mb(rule.EstimateStepMemory(setup).Total),
                };
            }).ToList();
            var report = new BenchReport(setup.Source.Path, setup.BatchSize, get_num_threads(),
                setup.Precision.ToString().ToLowerInvariant(),
                setup.Model.Device.type.ToString().ToLowerInvariant(), setup.Loss.Name, setup.OptimizerText, setup.Data,
                graph.Vertices.Count, graph.MaxDepth, graph.Parameters.Sum(p => p.Shape.Aggregate(1L, (x, y) => x * y)),
                warmupResult, rounds, reports, ort, epochResult, CpuModel(), Environment.ProcessorCount, loadStart, LoadAverage())
            {
                Pipeline = pipelineResult,
                Profile = operatorProfile,
                VerifyBeside = setup.VerifyBeside,
            };
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(report.ToJson(), JsonOptions));
            else Console.Write(report.ToMarkdown());
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// Indented, with rule names such as zil+verify written as they are rather than escaped; a divergence of zil+verify that
    /// is NaN or infinite is written as a string, as `verify --json` writes it, instead of failing the report.
    /// </summary>
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Makes each benched learning rule with the rule settings given (--inference-steps, --gamma, --output-weight, --pc-steps)
    /// where it takes them and its own defaults otherwise; a setting none of the benched rules takes is refused.
    /// </summary>
    private static Func<string, ILearningRule> BenchedRule(ParseResult parse, TrainingOptions options, IReadOnlyList<string> names)
    {
        foreach (var option in options.RuleSettings)
            if (parse.GetResult(option) is { Implicit: false } && !names.Any(name => RuleKnobs.Takes(name, option.Name)))
                throw new ArgumentException($"{option.Name} applies to none of the rules --rules names");
        var given = TrainingSettingsResolver.Given(parse, options);
        return name => RuleKnobs.Resolve(given with { Rule = name }).CreateRule();
    }

    /// <summary>The 1-, 5- and 15-minute load averages (Linux), to tell a quiet machine from a busy one.</summary>
    private static double[]? LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(v => double.Parse(v,
                CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':',
                2)[1].Trim() ?? "unknown CPU";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "unknown CPU"; }
    }
}
