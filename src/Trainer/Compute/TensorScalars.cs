using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Compute;

public static class TensorScalars
{
    /// <summary>A one-element tensor of any floating type as a double (item&lt;T&gt; needs the exact type).</summary>
    public static double ToDouble(this Tensor t)
    {
        using var asDouble = t.detach().to(ScalarType.Float64, CPU);
        return asDouble.item<double>();
    }

    /// <summary>
    /// A gradient autograd returned, or null for an input the output does not depend on: TorchSharp gives such
    /// inputs an undefined tensor (no handle) rather than null when allow_unused is set.
    /// </summary>
    public static Tensor? Defined(this Tensor? gradient) => gradient is null || gradient.IsInvalid ? null : gradient;

    /// <summary>
    /// Whether each tensor has a non-zero element, read from the device in one round-trip for all of them rather than
    /// one per tensor (a relaxation asks this of every vertex at every inference step).
    /// </summary>
    public static bool[] HaveNonZero(IReadOnlyList<Tensor> tensors)
    {
        if (tensors.Count == 0) return [];
        using var scope = NewDisposeScope();
        return stack(tensors.Select(t => t.any()).ToList()).cpu().data<bool>().ToArray();
    }
}
