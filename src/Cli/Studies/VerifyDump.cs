using System.CommandLine;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Outputs;
using ZilOnnx.Trainer.Studies;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Cli.Studies;

/// <summary>
/// `verify --dump PREFIX.npz`: every vertex's value, error and energy term over the inference steps of the rule on the first
/// batch, from the model's parameters as they are (<see cref="VertexDump"/>), and each parameter's divergence at every
/// verified step, written when the steps are done.
/// </summary>
public sealed class VerifyDump
{
    public Option<string?> Dump { get; } = new("--dump")
    {
        Description = "Write every vertex's value, error and energy term over the inference steps of the first batch, and each " +
        "parameter's divergence per step, to PREFIX.npz (zil, zil-relaxed, fa-zil, il, --ablate)"
    };

    private VertexDump? _dump;
    private string? _path;

    public void AddTo(Command command) => command.Options.Add(Dump);

    /// <summary>The archive's path: PREFIX as given, with ".npz" added when it lacks it (as numpy's savez does).</summary>
    public static string PathOf(string prefix) => prefix.EndsWith(".npz", StringComparison.OrdinalIgnoreCase) ? prefix : prefix + ".npz";

    public void Validate(ParseResult parse, VerifyStudies studies)
    {
        if (parse.GetValue(Dump) != null && studies.SweepAsked(parse))
            throw new ArgumentException("--dump records verified steps, which --sweep replaces: give one of them");
    }

    public OutputPlan PlanOutputs(ParseResult parse, OutputPlan plan) =>
        parse.GetValue(Dump) is { } prefix ? plan.Writes("--dump", PathOf(prefix)) : plan;

    /// <summary>Watches the rule on the first batch, if asked (before any step changes the parameters).</summary>
    public void Start(ParseResult parse, TrainingSetup setup)
    {
        if (parse.GetValue(Dump) is not { } prefix) return;
        using var scope = TorchSharp.torch.NewDisposeScope();
        _dump = VertexDump.Capture(setup.Model, VerifyStudies.FirstBatch(setup), setup.Loss, setup.Rule);
        _path = PathOf(prefix);
    }

    public void Record(IEnumerable<ParameterDivergence>? divergences)
    {
        if (divergences != null) _dump?.AddDivergences(divergences);
    }

    /// <summary>Writes the archive, if asked; says what it wrote on stderr.</summary>
    public void Write()
    {
        if (_dump == null) return;
        _dump.Write(_path!);
        Console.Error.WriteLine($"note: {_dump.Vertices.Count} vertices over {_dump.InferenceSteps} inference step(s) of the first " +
            $"batch ({_dump.Mode}) and the divergence of each parameter per verified step; wrote {_path}");
    }
}
