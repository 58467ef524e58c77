using System.Diagnostics;
using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Trainer.Profiling;

/// <summary>The parts of a training step that <see cref="StepProfile"/> times.</summary>
public enum ProfilePart
{
    /// <summary>bp: one vertex's kernel in the forward pass that backprop records.</summary>
    BpForward,
    /// <summary>zil: one vertex's forward pass by its local strategy (the kernel and what the strategy keeps for the sweep).</summary>
    ZilForward,
    /// <summary>zil: one vertex's turn in the sweep (its local products and the sums of the errors they feed back).</summary>
    ZilSweep,
    /// <summary>A whole step of bp (its Compute): what its forward's kernels leave of it is the loss and the backward pass.</summary>
    BpStep,
    /// <summary>A whole step of zil (its Compute): what its vertices leave of it is the loss and collecting the updates.</summary>
    ZilStep,
}

/// <summary>
/// Times per vertex of the profiled training steps (`bench --profile`). Profiling is off unless a profile is
/// <see cref="Active"/>: the instrumented code reads that one field and does nothing else when it is null, so an
/// unprofiled step pays no clock reads and no allocations. libtorch runs synchronously on the CPU, so a clock read
/// around a vertex's work measures that work.
/// </summary>
public sealed class StepProfile
{
    /// <summary>The profile being recorded, or null (the default): only the benchmark sets it, for its profiled rounds.</summary>
    public static StepProfile? Active { get; private set; }

    private readonly Dictionary<(ProfilePart Part, Vertex? Vertex), long> _ticks = [];
    private readonly Dictionary<string, int> _steps = [];

    /// <summary>The steps of <paramref name="rule"/> profiled so far.</summary>
    public int Steps(string rule) => _steps.GetValueOrDefault(rule);

    /// <summary>The rule whose step runs now ("bp" or "zil"), or null while another runs: only these two are profiled.</summary>
    public string? Rule { get; private set; }

    /// <summary>Whether the autograd tapes of zil's sweep each run in a call of their own, so that each can be timed alone.</summary>
    public bool SeparatesTapes => Rule == "zil";

    /// <summary>Makes this profile the one recorded into until the returned handle is disposed.</summary>
    public IDisposable Start()
    {
        if (Active != null) throw new InvalidOperationException("a step profile is already being recorded");
        Active = this;
        return new Stop();
    }

    private sealed class Stop : IDisposable
    {
        public void Dispose() => Active = null;
    }

    /// <summary>Starts a step of <paramref name="rule"/>: its vertices are timed if it is bp or zil. Returns the clock reading
    /// that <see cref="EndStep"/> takes.</summary>
    public long BeginStep(string rule)
    {
        Rule = rule is "bp" or "zil" ? rule : null;
        return Stopwatch.GetTimestamp();
    }

    /// <summary>Ends the step begun at <paramref name="start"/>, its whole time recorded as the rule's step.</summary>
    public void EndStep(long start)
    {
        if (Rule != null)
        {
            Add(Rule == "bp" ? ProfilePart.BpStep : ProfilePart.ZilStep, null, start);
            _steps[Rule] = _steps.GetValueOrDefault(Rule) + 1;
        }
        Rule = null;
    }

    /// <summary>Whether kernels' forward passes are timed now: in bp's step (zil times its vertices by strategy instead).</summary>
    public bool TimesKernels => Rule == "bp";

    /// <summary>Adds the time since <paramref name="start"/> (a <see cref="Stopwatch.GetTimestamp"/>) to the vertex's part.</summary>
    public void Add(ProfilePart part, Vertex? vertex, long start)
    {
        long elapsed = Stopwatch.GetTimestamp() - start;
        _ticks[(part, vertex)] = _ticks.GetValueOrDefault((part, vertex)) + elapsed;
    }

    /// <summary>The milliseconds recorded per part and vertex (null: a whole step), summed over the profiled steps.</summary>
    public IEnumerable<(ProfilePart Part, Vertex? Vertex, double Milliseconds)> Recorded() =>
        _ticks.Select(t => (t.Key.Part, t.Key.Vertex, t.Value * 1000.0 / Stopwatch.Frequency));
}
