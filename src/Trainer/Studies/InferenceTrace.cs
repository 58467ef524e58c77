using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Pcn;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Studies;

/// <summary>One inference step seen by <see cref="InferenceTrace"/>.</summary>
/// <param name="Step">The inference step, from 1 (the T of an il run that ends there).</param>
/// <param name="Energy">F at the state the step starts from.</param>
/// <param name="Divergence">The largest relative divergence from BP of the update the parameters would take from this
/// step's errors (il with T = <paramref name="Step"/>), when asked for, else null.</param>
public sealed record TracedStep(int Step, double Energy, ParameterDivergence? Divergence);

/// <summary>
/// Records a relaxation: the energy at every inference step and, at the steps asked for, how far from BP the update is
/// that every parameter would take from that step's errors. Classic IL's update for T steps is exactly that update at
/// step T (the dynamics do not depend on T), so one relaxation of T_max steps gives il's divergence for every T up to
/// T_max, bitwise what separate runs give.
/// </summary>
public sealed class InferenceTrace(PcnModel model, IReadOnlyDictionary<string, Tensor>? backprop, Func<int,
    bool>? compareAt = null) : IInferenceObserver
{
    public List<TracedStep> Steps { get; } = [];

    public void OnStep(int step, double energy, IReadOnlyList<(ParameterView View, Tensor Term)> terms)
    {
        ParameterDivergence? worst = null;
        if (backprop != null && (compareAt?.Invoke(step + 1) ?? true))
        {
            using var scope = NewDisposeScope();
            var updates = new ParameterAccumulator(model);
            foreach (var (view, term) in terms) updates.Add(view, term);
            var divergences = ParameterDivergence.Compare(updates.MoveToOuterScope(), backprop);
            worst = new ParameterDivergence("all", divergences.Select(d => d.MaxAbs).LargestOrNaN(),
                divergences.Select(d => d.MaxRel).LargestOrNaN());
        }
        Steps.Add(new TracedStep(step + 1, energy, worst));
    }
}
