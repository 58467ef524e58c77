using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Training;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Fully autonomous Z-IL (`fa-zil`, Song et al., NeurIPS 2020): the PC dynamics of <see cref="PcDynamics"/> at
/// inference rate 1 from the feed-forward start, with no global schedule. At every step every free value node moves
/// by its local rule and every synapse computes its Hebbian term; a synapse adds its term only while the latch of its
/// post-synaptic error node is open, and that latch opens once, when the error node first turns on
/// (<see cref="SynapseLatches"/>). Nothing here reads d(v): on a levelled graph the wave of feedback reaches a vertex
/// at step d(v), which is why the latches reproduce Z-IL's schedule and its updates equal BP's. The copies of a shared
/// weight (an RNN's W at every time step) are separate vertices with latches of their own, so each copy's term is
/// taken at its own step and the sum is applied after inference (docs/algorithms.md rule 3).
/// </summary>
public sealed class FaZil : IRelaxingRule
{
    public ILearningRule Observed(IInferenceObserver observer) => _dynamics.Observed(observer);

    public NonFiniteOrigin? LocateNonFinite(PcnModel model, Batch batch, ILoss loss) => _dynamics.LocateNonFinite(model, batch, loss);

    private readonly PcDynamics _dynamics = new("fa-zil", new PcDynamicsOptions { Gate = UpdateGate.Autonomous });

    public string Name => "fa-zil";

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss) => _dynamics.Compute(model, batch, loss);
}
