using ZilOnnx.Converter.Graph;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Watches the relaxation of <see cref="PcDynamics"/> step by step, for the studies (`verify --energy`, `--sweep T=...`):
/// it sees each step's energy and every Hebbian term of the step, whether a gate takes it or not, and, for `verify --dump`,
/// every vertex's value and error node.
/// </summary>
public interface IInferenceObserver
{
    /// <param name="step">The inference step, from 0.</param>
    /// <param name="energy">F at the state the step starts from (the hidden errors' 1/2 ||eps||^2 plus the loss at the output).</param>
    /// <param name="terms">Every parameter copy's local term (dg/dtheta)^T eps at this step; valid during the call only.</param>
    void OnStep(int step, double energy, IReadOnlyList<(ParameterView View, Tensor Term)> terms);

    /// <summary>The value and error nodes the step starts from; called before <see cref="OnStep"/>. Most studies need only F.</summary>
    void OnVertices(int step, InferenceStepState state) { }
}
