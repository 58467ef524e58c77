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
    public static IReadOnlyList<ParameterDivergence> Compare(IReadOnlyDictionary<string, Tensor> rule, IReadOnlyDictionary<string, Tensor> backprop) =>
        backprop.Select(p =>
        {
            using var difference = rule[p.Key] - p.Value;
            double maxAbs = difference.MaxAbs(), scale = p.Value.MaxAbs();
            // A parameter BP leaves unchanged must be left unchanged by the rule too.
            double maxRel = scale > 0 ? maxAbs / scale : maxAbs > 0 ? double.PositiveInfinity : 0;
            return new ParameterDivergence(p.Key, maxAbs, maxRel);
        }).ToList();
}
