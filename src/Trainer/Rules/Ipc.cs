using ZilOnnx.Trainer.Losses;
using ZilOnnx.Trainer.Pcn;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Incremental predictive coding (`ipc`, Salvatori et al., "A Stable, Fast, and Fully Automatic Learning Algorithm for
/// Predictive Coding Networks", ICLR 2024): from the feed-forward start, at each of T inference steps the value nodes and
/// the weights move together, both from the same state: x_v += gamma (-eps_v + sum_c J^T eps_c) and
/// theta += lr (dg_v/dtheta)^T eps_v, so each step's predictions read the weights the steps before have moved.
/// </summary>
/// <remarks>
/// A rule never changes the model's parameters: the weights move in a working copy, and the update returned is the sum
/// of the T steps' Hebbian terms. The optimizer applies it once; with plain SGD at the same lr, theta + lr * sum is the
/// weights the T steps end at (to rounding: one sum of T terms rather than T additions). With momentum or Adam the sum
/// is the gradient estimate they transform. Not exact: verification measures it.
/// </remarks>
public sealed class Ipc : IRelaxingRule
{
    public const int DefaultInferenceSteps = Il.DefaultInferenceSteps;
    public const double DefaultGamma = Il.DefaultGamma;

    private readonly PcDynamics _dynamics;

    /// <param name="learningRate">The rate at which the working weights move during inference (the run's --lr).</param>
    /// <param name="outputWeight">S (<see cref="PcDynamicsOptions.OutputWeight"/>): the weights move at lr / S per term, so
    /// that they move by lr times the update returned, which is divided by S.</param>
    public Ipc(int inferenceSteps, double gamma, double learningRate, double outputWeight = 1, IInferenceObserver? observer = null)
    {
        RelaxedRuleSettings.CheckInferenceSteps("ipc", inferenceSteps);
        RelaxedRuleSettings.CheckGamma("ipc", gamma);
        RelaxedRuleSettings.CheckLearningRate("ipc", learningRate);
        RelaxedRuleSettings.CheckOutputWeight("ipc", outputWeight);
        InferenceSteps = inferenceSteps;
        Gamma = gamma;
        LearningRate = learningRate;
        OutputWeight = outputWeight;
        // Immediate: every term is added to the working weights once the step has computed all its products (rule 1).
        _dynamics = new PcDynamics("ipc", new PcDynamicsOptions
        {
            Gate = UpdateGate.EveryStep, Steps = inferenceSteps, Gamma = gamma, SharedTerms = SharedParameterTerms.Immediate,
            ImmediateLearningRate = learningRate / outputWeight, OutputWeight = outputWeight, Observer = observer,
        });
    }

    public string Name => "ipc";
    public bool IsExact => false;
    public int InferenceSteps { get; }
    public double Gamma { get; }
    public double LearningRate { get; }
    public double OutputWeight { get; }

    public ILearningRule Observed(IInferenceObserver observer) => new Ipc(InferenceSteps, Gamma, LearningRate, OutputWeight, observer);

    public RuleResult Compute(PcnModel model, Batch batch, ILoss loss) => _dynamics.Compute(model, batch, loss);
}
