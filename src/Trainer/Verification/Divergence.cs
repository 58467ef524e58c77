using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Verification;

/// <summary>
/// How far a rule's update is from BP's for one parameter: max|delta_rule - delta_bp| and that value over
/// max|delta_bp|. Measured on -dLoss/dtheta, the rule's own product; for SGD the step is lr times it, so the
/// relative divergence of the step is the same number.
/// </summary>
public sealed record ParameterDivergence(string Name, double MaxAbs, double MaxRel)
{
    public static IReadOnlyList<ParameterDivergence> Compare(IReadOnlyDictionary<string, Tensor> rule, IReadOnlyDictionary<string, Tensor> backprop)
    {
        var names = backprop.Keys.ToList();
        if (names.Count == 0) return [];
        using var scope = NewDisposeScope();
        // Both maxima of every parameter in one host read, not two per parameter: verifying every step should cost
        // what the second rule costs, not a round-trip per tensor.
        var maxima = new List<Tensor>();
        foreach (string name in names)
        {
            Tensor reference = backprop[name];
            if (reference.numel() == 0) { maxima.Add(zeros([], reference.dtype, reference.device)); maxima.Add(zeros([], reference.dtype, reference.device)); continue; }
            maxima.Add((rule[name] - reference).abs().max());
            maxima.Add(reference.abs().max());
        }
        double[] values = stack(maxima).to(ScalarType.Float64).cpu().data<double>().ToArray();
        return names.Select((name, i) =>
        {
            double maxAbs = values[2 * i], scale = values[2 * i + 1];
            // A parameter BP leaves unchanged must be left unchanged by the rule too.
            double maxRel = scale > 0 ? maxAbs / scale : maxAbs > 0 ? double.PositiveInfinity : 0;
            return new ParameterDivergence(name, maxAbs, maxRel);
        }).ToList();
    }
}
