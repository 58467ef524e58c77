using ZilOnnx.Converter.Graph;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Dynamics;

/// <summary>
/// When each vertex's parameters take their Hebbian term (<see cref="UpdateGate"/>): at its scheduled step d(v) + shift
/// (Z-IL's C2, or the schedule-shift ablation), at every step, at the last step only (il), or when its error node's
/// latch opens (fa-zil, <see cref="SynapseLatches"/>).
/// </summary>
internal sealed class UpdateGates
{
    private readonly UpdateGate _gate;
    private readonly int _scheduleShift;
    // fa-zil has no schedule: each error node's latch decides on its own, and inference stops once all have opened.
    private readonly SynapseLatches? _latches;

    public UpdateGates(PcDynamicsOptions options, PcGraph graph)
    {
        _gate = options.Gate;
        _scheduleShift = options.ScheduleShift;
        if (_gate == UpdateGate.Autonomous)
            _latches = new SynapseLatches(graph.Vertices.Where(PcGraph.IsFree).ToList(), graph.TrainingOutput,
                options.LatchesOpenOnArrival);
        DefaultSteps = _latches?.StepLimit ?? graph.MaxDepth + 1 + Math.Max(0, _scheduleShift);
    }

    /// <summary>The inference steps that give every gate its turn: depth + 1 (+ any positive shift), or the latches' bound.</summary>
    public int DefaultSteps { get; }

    /// <summary>Whether every latch has opened, so that nothing after this step can change an update (fa-zil).</summary>
    public bool AllLatchesOpened => _latches is { Pending: 0 };

    /// <summary>Lets the latches see this step's errors; call once per step, before <see cref="IsOpen"/>.</summary>
    public void Advance(int step, IReadOnlyDictionary<Vertex, Tensor> errors) => _latches?.Advance(step, errors);

    /// <param name="last">Whether this is the relaxation's last step.</param>
    public bool IsOpen(Vertex v, int step, bool last) => _gate switch
    {
        UpdateGate.Scheduled => v.Depth + _scheduleShift == step,
        UpdateGate.EveryStep => true,
        UpdateGate.LastStep => last,
        UpdateGate.Autonomous => _latches!.IsOpen(v),
        _ => false,
    };
}
