using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Z-IL's step followed by K steps of relaxed PC dynamics (`zil+pc`): Z-IL gives u, backprop's update, and moves the
/// weights to theta + lr u; from the feed-forward state of those weights, K steps of incremental PC (<see cref="Ipc"/>:
/// value nodes at rate gamma, weights at lr, together) follow. The update is u plus the sum of the K steps' terms, so
/// that plain SGD at lr lands on the weights the K steps end at. K = 0 is Z-IL: its update is returned as it is.
/// </summary>
public sealed class ZilPlusPc : IRelaxingRule
{
    public const int DefaultPcSteps = 1;

    private readonly Zil _zil = new();
    private readonly Ipc? _pc;

    /// <param name="pcSteps">K, the relaxed steps after Z-IL's.</param>
    /// <param name="gamma">The inference rate of those steps.</param>
    /// <param name="learningRate">The rate Z-IL's update and the K steps' terms move the weights at (the run's --lr).</param>
    public ZilPlusPc(int pcSteps, double gamma, double learningRate, IInferenceObserver? observer = null)
    {
        RelaxedRuleSettings.CheckPcSteps(pcSteps);
        RelaxedRuleSettings.CheckGamma("zil+pc", gamma);
        RelaxedRuleSettings.CheckLearningRate("zil+pc", learningRate);
        PcSteps = pcSteps;
        Gamma = gamma;
        LearningRate = learningRate;
        _pc = pcSteps == 0 ? null : new Ipc(pcSteps, gamma, learningRate, observer: observer);
    }

    public string Name => "zil+pc";

    /// <summary>With K = 0 it is Z-IL; the K relaxed steps add terms backprop does not have.</summary>
    public bool IsExact => PcSteps == 0;

    public int PcSteps { get; }
    public double Gamma { get; }
    public double LearningRate { get; }

    public ILearningRule Observed(IInferenceObserver observer) => new ZilPlusPc(PcSteps, Gamma, LearningRate, observer);

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss)
    {
        var zil = _zil.Compute(model, batch, loss);
        if (_pc == null) return zil;
        using var scope = NewDisposeScope();
        // The weights after Z-IL's step, in a model of their own: the rule leaves the run's parameters alone.
        var stepped = model.Parameters.ToDictionary(p => p.Key, p => p.Value.Plus(zil.Updates[p.Key].Times(LearningRate)));
        var after = new PcnModel(model.Graph, model.Precision, model.Device, stepped) { DropoutMasks = model.DropoutMasks };
        try
        {
            using var relaxed = _pc.Compute(after, batch, loss);
            foreach (var (name, update) in zil.Updates) update.AddInPlace(relaxed.Updates[name]);
            return zil with { InferenceSteps = relaxed.InferenceSteps };
        }
        finally
        {
            // The masks are the run's: the working model only borrowed them.
            after.DropoutMasks = null;
            after.Dispose();
        }
    }
}
