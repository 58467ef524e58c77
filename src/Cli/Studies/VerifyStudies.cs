using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Outputs;
using ZilOnnx.Cli.Reporting;
using ZilOnnx.Converter.Pcn;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Studies;

namespace ZilOnnx.Cli.Studies;

/// <summary>
/// The studies `verify` runs on the first batch, from the model's parameters as they are: `--sweep` (il's divergence
/// from backprop against T or gamma, instead of the verified steps) and `--energy` (F over the inference steps of
/// the rule's relaxation, besides them).
/// </summary>
public sealed class VerifyStudies
{
    public Option<string?> Sweep { get; } = new("--sweep")
    {
        Description = "Study rule il on the first batch instead of verifying " +
        "steps: gamma=A:B:S or T=A:B[:S]; writes --sweep-out PREFIX.csv and .png"
    };
    public Option<string> SweepOut { get; } = new("--sweep-out")
    {
        Description = "Where --sweep writes: PREFIX.csv and PREFIX.png",
        DefaultValueFactory = _ => "il-sweep"
    };
    public Option<string?> Energy { get; } = new("--energy")
    {
        Description = "Write the energy F over the inference steps of the rule's " +
        "relaxation on the first batch to PREFIX.csv and PREFIX.png (il, fa-zil, zil-relaxed, --ablate)"
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Sweep);
        command.Options.Add(SweepOut);
        command.Options.Add(Energy);
    }

    public bool SweepAsked(ParseResult parse) => parse.GetValue(Sweep) != null;

    /// <summary>Checks the study options against the rest before any work is done.</summary>
    public void Validate(ParseResult parse, TrainingOptions options)
    {
        if (parse.GetValue(Sweep) is { } sweep)
        {
            var spec = SweepSpec.Parse(sweep);
            if (!parse.GetValue(options.Rule)!.Equals("il", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException("--sweep studies rule il: give --rule il");
            if (parse.GetValue(options.Ablate) is { Length: > 0 }) throw new ArgumentException("--sweep and --ablate exclude each other");
            if (spec.IsInferenceSteps && parse.GetResult(options.InferenceSteps) is { Implicit: false })
                throw new ArgumentException("--sweep T=... sets T itself: leave --inference-steps out");
            if (!spec.IsInferenceSteps && parse.GetResult(options.Gamma) is { Implicit: false })
                throw new ArgumentException("--sweep gamma=... sets gamma itself: leave --gamma out");
            if (parse.GetValue(options.EnergyTolerance) != null) throw new ArgumentException("--sweep runs every setting to its end: " +
                "leave --tol out");
        }
        else if (parse.GetResult(SweepOut) is { Implicit: false }) throw new ArgumentException("--sweep-out needs --sweep");
    }

    /// <summary>Adds the data the studies read and the files they write (PREFIX.csv and PREFIX.png of each study asked for).</summary>
    public OutputPlan PlanOutputs(ParseResult parse, OutputPlan plan, TrainingOptions options)
    {
        foreach (string data in DataSources.Locate(parse.GetValue(options.Data)!)) plan.ReadsData("--data", data);
        foreach (var (option, prefix) in new[] { ("--sweep-out", SweepAsked(parse) ? parse.GetValue(SweepOut) : null), ("--energy",
            parse.GetValue(Energy)) })
        {
            if (prefix == null) continue;
            string stem = StudyFiles.Prefix(prefix);
            plan.Writes(option, stem + ".csv").Writes(option, stem + ".png");
        }
        return plan;
    }

    /// <summary>Runs the sweep and reports it (a table, or JSON); returns the exit code.</summary>
    public int RunSweep(ParseResult parse, TrainingSetup setup, TrainingOptions options, bool json)
    {
        var spec = SweepSpec.Parse(parse.GetValue(Sweep)!);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var batch = FirstBatch(setup);
        var points = spec.IsInferenceSteps
            ? IlStudy.SweepInferenceSteps(setup.Model, batch, setup.Loss, parse.GetValue(options.Gamma),
                spec.Values.Select(v => (int)v).ToList())
            : IlStudy.SweepGamma(setup.Model, batch, setup.Loss, parse.GetValue(options.InferenceSteps), spec.Values);
        string precision = setup.Precision.ToString().ToLowerInvariant();
        string fixedSetting = spec.IsInferenceSteps
            ? $"gamma {parse.GetValue(options.Gamma).ToString(CultureInfo.InvariantCulture)}"
            : $"T {parse.GetValue(options.InferenceSteps)}";
        var (csv, png) = StudyFiles.WriteSweep(StudyFiles.Prefix(parse.GetValue(SweepOut)!), spec, points,
            $"il against backprop: {Path.GetFileName(setup.Source.Path)}, {fixedSetting}, {precision}");
        if (json)
        {
            var report = new Dictionary<string, object>
            {
                ["rule"] = "il", ["precision"] = precision, ["sweep"] = spec.Variable, ["csv"] = csv, ["png"] = png,
                ["points"] = points.Select(p => new Dictionary<string, object>
                {
                    ["T"] = p.InferenceSteps, ["gamma"] = p.Gamma, ["max_rel_divergence"] = p.MaxRelativeDivergence,
                    ["max_abs_divergence"] = p.MaxAbsoluteDivergence, ["energy"] = p.Energy, ["energy_start"] = p.EnergyStart,
                }).ToList(),
            };
            Console.WriteLine(JsonSerializer.Serialize(report, NonFiniteJson.Options));
        }
        else
        {
            Console.WriteLine($"rule il against backprop on the first batch, {precision}, {fixedSetting}, {points.Count} value(s) of " +
                $"{spec.Variable}");
            Console.WriteLine($"  {"T",6} {"gamma",8} {"relative",12} {"absolute",12} {"energy",12}");
            foreach (var p in Thin(points))
                Console.WriteLine($"  {p.InferenceSteps,6} {p.Gamma,8:0.###} {p.MaxRelativeDivergence,12:E3} " +
                    $"{p.MaxAbsoluteDivergence,12:E3} {p.Energy,12:E4}");
            Console.WriteLine($"wrote {csv} and {png}");
        }
        return ExitCodes.Success;
    }

    /// <summary>Writes the energy trace of the setup's rule on the first batch, if asked; says what it wrote on stderr.</summary>
    public void RunEnergy(ParseResult parse, TrainingSetup setup)
    {
        if (parse.GetValue(Energy) is not { } path) return;
        if (setup.Rule is not IRelaxingRule relaxing)
            throw new ArgumentException($"--energy traces a relaxation; rule {setup.Rule.Name} has none (use il, fa-zil, zil-relaxed or " +
                $"--ablate)");
        using var scope = TorchSharp.torch.NewDisposeScope();
        var steps = IlStudy.Energy(setup.Model, FirstBatch(setup), setup.Loss, relaxing);
        var (csv, png) = StudyFiles.WriteEnergy(StudyFiles.Prefix(path), steps,
            $"energy F of {setup.Rule.Name}: {Path.GetFileName(setup.Source.Path)}, first batch, " +
                $"{setup.Precision.ToString().ToLowerInvariant()}");
        Console.Error.WriteLine($"note: energy F over {steps.Count} inference step(s) of the first batch: {steps[0].Energy:E4} -> " +
            $"{steps[^1].Energy:E4}; wrote {csv} and {png}");
    }

    internal static Trainer.Rules.Batch FirstBatch(TrainingSetup setup)
    {
        if (setup.Model.Graph.DataInputs.First().Shape[0] == 1 && setup.Order.BatchSize > 1)
            throw new ArgumentException("the model fixes its batch dimension at 1: run the study with --batch-size 1");
        return setup.Data.Take(setup.Order.IndicesOf(0), setup.Model.DType, setup.Model.Device);
    }

    /// <summary>At most about 25 rows on the console (first, last and evenly between); the CSV has every point.</summary>
    private static IEnumerable<StudyPoint> Thin(IReadOnlyList<StudyPoint> points)
    {
        int every = Math.Max(1, (int)Math.Ceiling(points.Count / 25.0));
        return points.Where((_, k) => k % every == 0 || k == points.Count - 1);
    }
}
