using ZilOnnx.Converter.Graph;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// The value and error nodes of every free vertex at the state one inference step starts from (`verify --dump`). Valid
/// during the observer's call only: an observer that keeps anything copies it.
/// </summary>
/// <param name="Value">x_v.</param>
/// <param name="Errors">eps_v of the vertices that did work this step; every other free vertex's error is exactly 0.</param>
/// <param name="EnergyTerms">Each free vertex's term of F: 1/2 ||eps_v||^2, and for the output the loss at its current
/// prediction (F is their sum).</param>
public sealed record InferenceStepState(Func<Vertex, Tensor> Value, IReadOnlyDictionary<Vertex, Tensor> Errors,
    IReadOnlyDictionary<Vertex, double> EnergyTerms);
