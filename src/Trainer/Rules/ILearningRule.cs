using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// One learning-rule interface: every rule turns a batch into -dLoss/dtheta for every stored
/// parameter, so verification, optimizers, logging and checkpoints never care which rule ran. Rules never
/// change the parameters themselves.
/// </summary>
public interface ILearningRule
{
    string Name { get; }

    /// <summary>
    /// Whether the rule is meant to equal backprop. For an exact rule a verified step over the tolerance is a
    /// failure; an approximate rule (`il`) is verified to measure its divergence, never to stop a run.
    /// </summary>
    bool IsExact => true;

    RuleResult Compute(PcnModel model, Batch batch, ILoss loss);
}

/// <param name="Updates">-dLoss/dtheta per initializer name, shaped like the stored initializer.</param>
/// <param name="Loss">The loss of the feed-forward output before the update.</param>
/// <param name="Output">The feed-forward training output (detached).</param>
public sealed record RuleResult(Dictionary<string, Tensor> Updates, double Loss, Tensor Output) : IDisposable
{
    /// <summary>The inference steps the relaxation ran (rules with PC dynamics; `il --tol` may stop before T), else null.</summary>
    public int? InferenceSteps { get; init; }

    public void Dispose()
    {
        foreach (var t in Updates.Values) t.Dispose();
        Output.Dispose();
    }
}

/// <summary>A batch: inputs by graph input name, and the targets.</summary>
public sealed record Batch(IReadOnlyDictionary<string, Tensor> Inputs, Tensor Targets);
