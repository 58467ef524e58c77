using System.Globalization;
using System.Text;

namespace ZilOnnx.Cli.Benchmarking;

/// <summary>One rule's results: step times, ratio to bp, throughput and memory.</summary>
public sealed record RuleReport(string Rule, Spread StepMs, Spread RatioToBp, double SamplesPerSecond, double? StepMemoryMb,
    double? PeakRssMb,
    double? MemoryRatioToBp, double? MaxDivergence, int? InferenceSteps, double? Gamma)
{
    /// <summary>What finetune's pre-flight check estimates for the same step (<see cref="ZilOnnx.Trainer.Training.StepMemoryEstimate"/>),
    /// in MB.</summary>
    public double? StepMemoryEstimateMb { get; init; }
}

/// <summary>Everything `zilonnx bench` measured on one model, as JSON (docs/cli.md) and as a markdown table.</summary>
public sealed record BenchReport(
    string Model, int BatchSize, int Threads, string Precision, string Device, string Loss, string Optimizer, string Data,
    int Vertices, int Depth, long ParameterCount, WarmupResult Warmup, int Steps, IReadOnlyList<RuleReport> Rules,
    OrtLatencyResult? OnnxRuntime, EpochResult? Epoch, string Cpu, int Cores, double[]? LoadStart, double[]? LoadEnd)
{
    public const string MemoryMethod =
        "step_memory_mb: rise of the process's resident peak (VmHWM) over its resident size (VmRSS) during 2 steps of the rule alone, " +
        "after returning freed memory to the system (GC, malloc_trim) and resetting the peak (/proc/self/clear_refs); the largest of 2 " +
            "such measurements. peak_rss_mb: that peak, the whole process (runtime, libtorch, model, data) included";

    /// <summary>The data pipeline alone beside bp's step (bench --pipeline), or null.</summary>
    public PipelineResult? Pipeline { get; init; }

    /// <summary>Where bp's and zil's steps spend their time per operator (bench --profile), or null.</summary>
    public OperatorProfile? Profile { get; init; }

    /// <summary>--verify-beside: zil+verify ran backprop's backward beside Z-IL's sweep.</summary>
    public bool VerifyBeside { get; init; }

    private static double R(double value, int digits = 4) => Math.Round(value, digits);

    public Dictionary<string, object?> ToJson()
    {
        var rules = new Dictionary<string, object?>();
        foreach (var r in Rules)
        {
            var entry = new Dictionary<string, object?>
            {
                ["median_ms"] = R(r.StepMs.Median), ["p10_ms"] = R(r.StepMs.P10), ["p90_ms"] = R(r.StepMs.P90),
                ["ratio_to_bp"] = R(r.RatioToBp.Median), ["ratio_p10"] = R(r.RatioToBp.P10), ["ratio_p90"] = R(r.RatioToBp.P90),
                ["samples_per_s"] = R(r.SamplesPerSecond, 1),
                ["step_memory_mb"] = r.StepMemoryMb is { } m ? R(m, 2) : null,
                ["peak_rss_mb"] = r.PeakRssMb is { } p ? R(p, 1) : null,
                ["memory_ratio_to_bp"] = r.MemoryRatioToBp is { } q ? R(q, 3) : null,
                ["step_memory_estimate_mb"] = r.StepMemoryEstimateMb is { } estimate ? R(estimate, 2) : null,
            };
            if (r.MaxDivergence is { } d) entry["max_divergence"] = d;
            if (r.InferenceSteps is { } t) { entry["inference_steps"] = t; entry["gamma"] = r.Gamma; }
            rules[r.Rule] = entry;
        }
        var json = new Dictionary<string, object?>
        {
            ["model"] = Model, ["batch_size"] = BatchSize, ["threads"] = Threads, ["rules"] = rules,
            ["precision"] = Precision, ["device"] = Device, ["loss"] = Loss, ["optimizer"] = Optimizer, ["data"] = Data,
            ["vertices"] = Vertices, ["depth"] = Depth, ["parameter_count"] = ParameterCount,
            ["warmup"] = Warmup.Rounds, ["warmup_seconds"] = R(Warmup.Seconds, 2), ["jit_quiet"] = Warmup.JitQuiet,
            ["jit_compilations_timed"] = Warmup.CompiledWhileTimed, ["steps"] = Steps, ["memory_method"] = MemoryMethod,
            ["verify_beside"] = VerifyBeside,
        };
        if (OnnxRuntime is { } o)
            json["onnxruntime"] = new Dictionary<string, object?>
            {
                ["runs"] = o.Runs, ["threads"] = o.Threads,
                ["original_ms"] = R(o.OriginalMs.Median), ["original_p10_ms"] = R(o.OriginalMs.P10),
                ["original_p90_ms"] = R(o.OriginalMs.P90),
                ["exported_ms"] = R(o.ExportedMs.Median), ["exported_p10_ms"] = R(o.ExportedMs.P10),
                ["exported_p90_ms"] = R(o.ExportedMs.P90),
                ["ratio"] = R(o.Ratio.Median), ["ratio_p10"] = R(o.Ratio.P10), ["ratio_p90"] = R(o.Ratio.P90),
            };
        if (Epoch is { } e)
        {
            var epoch = new Dictionary<string, object?>
            {
                ["data"] = e.Data, ["samples"] = e.Samples, ["steps"] = e.Steps,
                ["batch_size"] = e.BatchSize
            };
            foreach (var run in e.Runs) epoch[run.Rule] = new Dictionary<string, object?>
            {
                ["seconds"] = R(run.Seconds, 3),
                ["samples_per_s"] = R(run.SamplesPerSecond, 1)
            };
            if (e.Runs.FirstOrDefault(x => x.Rule == "bp") is { } bp)
                foreach (var run in e.Runs.Where(x =>
                    x.Rule != "bp")) epoch[$"{run.Rule}_to_bp"] = R(run.SamplesPerSecond / bp.SamplesPerSecond);
            json["epoch"] = epoch;
        }
        if (Pipeline is { } pipe)
            json["pipeline"] = new Dictionary<string, object?>
            {
                ["data"] = pipe.Data, ["batches"] = pipe.Batches, ["batch_size"] = pipe.BatchSize, ["depth"] = pipe.Depth,
                ["seconds"] = R(pipe.Seconds, 3),
                ["samples_per_s"] = R(pipe.SamplesPerSecond, 1), ["step_samples_per_s"] = R(pipe.StepSamplesPerSecond, 1),
                ["ratio"] = R(pipe.Ratio, 3),
            };
        if (Profile is { } profile) json["profile"] = profile.ToJson();
        json["machine"] = new Dictionary<string, object?>
        {
            ["cpu"] = Cpu, ["cores"] = Cores, ["load_average_start"] = LoadStart,
            ["load_average_end"] = LoadEnd
        };
        return json;
    }

    private static string F(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    /// <summary>Milliseconds with three significant digits at least (0.123, 1.23, 12.3, 123).</summary>
    private static string Ms(double value) => F(value, value < 1 ? 3 : value < 10 ? 2 : value < 100 ? 1 : 0);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        string Load(double[]? l) => l == null ? "?" : F(l[0], 2);
        text.AppendLine($"{Model}: {Vertices} vertices, depth {Depth}, {ParameterCount:N0} parameters; batch {BatchSize}, {Precision} " +
            $"on {Device}, {Threads} thread(s); {Loss}, {Optimizer}; data {Data}");
        string jit = Warmup.JitQuiet switch
        {
            true => "the JIT quiet",
            false => $"the JIT not quiet after {F(Warmup.Seconds, 0)} s",
            null => "the JIT not waited for"
        };
        if (Warmup.CompiledWhileTimed > 0) jit += $", {Warmup.CompiledWhileTimed} method(s) compiled while timed";
        text.AppendLine($"{Warmup.Rounds} warm-up ({jit}) and {Steps} timed rounds, the rules in alternation; {Cpu}, {Cores} cores, " +
            $"load average {Load(LoadStart)} at the start, {Load(LoadEnd)} at the end");
        text.AppendLine();
        text.AppendLine("| rule | median ms | p10 ms | p90 ms | / bp (p10-p90) | samples/s | step memory MB | / bp |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in Rules)
        {
            string name = r.Rule + (r.InferenceSteps is { } t ? $" (T {t}, gamma {r.Gamma?.ToString(CultureInfo.InvariantCulture)})" : "")
                          + (r.MaxDivergence is { } d ? $" ({(VerifyBeside ? "beside, " : "")}max divergence " +
                              $"{d.ToString("E1", CultureInfo.InvariantCulture)})" : "");
            text.AppendLine($"| {name} | {Ms(r.StepMs.Median)} | {Ms(r.StepMs.P10)} | {Ms(r.StepMs.P90)} | " +
                            $"{F(r.RatioToBp.Median, 2)} ({F(r.RatioToBp.P10, 2)}-{F(r.RatioToBp.P90, 2)}) | " +
                            $"{F(r.SamplesPerSecond, 0)} | " +
                            $"{(r.StepMemoryMb is { } m ? F(m, 1) : "-")} | {(r.MemoryRatioToBp is { } q ? F(q, 2) : "-")} |");
        }
        if (OnnxRuntime is { } o)
        {
            text.AppendLine();
            text.AppendLine($"ONNX Runtime (CPU, {(o.Threads is { } n ? $"{n} thread(s)" : "default threads")}, {o.Runs} runs of each " +
                $"in alternation): original {Ms(o.OriginalMs.Median)} ms ({Ms(o.OriginalMs.P10)}-{Ms(o.OriginalMs.P90)}), " +
                            $"exported {Ms(o.ExportedMs.Median)} ms ({Ms(o.ExportedMs.P10)}-{Ms(o.ExportedMs.P90)}), " +
                            $"exported/original {F(o.Ratio.Median, 3)} ({F(o.Ratio.P10, 2)}-{F(o.Ratio.P90, 2)})");
        }
        if (Epoch is { } e)
        {
            text.AppendLine();
            var bp = e.Runs.FirstOrDefault(r => r.Rule == "bp");
            text.AppendLine($"epoch ({e.Data}, {e.Samples} samples, {e.Steps} steps of {e.BatchSize}, trainer with verification off, " +
                $"rules in alternation): " +
                            string.Join(", ", e.Runs.Select(r => $"{r.Rule} {F(r.SamplesPerSecond, 0)} samples/s ({F(r.Seconds, 1)} s)")) +
                            (bp != null ? string.Concat(e.Runs.Where(r => r.Rule != "bp").Select(r =>
                                $", {r.Rule}/bp {F(r.SamplesPerSecond / bp.SamplesPerSecond, 3)}")) : ""));
        }
        if (Pipeline is { } p)
        {
            text.AppendLine();
            text.AppendLine($"pipeline alone ({p.Data}, {p.Batches} batches of {p.BatchSize}, {p.Depth} prepared ahead, no training): " +
                            $"{F(p.SamplesPerSecond, 0)} samples/s ({F(p.Seconds, 1)} s); bp's step {F(p.StepSamplesPerSecond, 0)} " +
                                $"samples/s; pipeline/step {F(p.Ratio, 2)}");
        }
        if (Profile is { } profile)
        {
            text.AppendLine();
            text.Append(profile.ToMarkdown());
        }
        return text.ToString();
    }
}
