using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// Transpose's product: <see cref="TransposeKernel"/> permutes the axes (a view), and autograd's PermuteBackward permutes
/// the error back by the inverse permutation, a view of the error in the layout that permutation gives.
/// </summary>
public sealed class TransposeClosedForm : ClosedForm<TransposeSpec>
{
    protected override bool Covers(TransposeSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        ReshapeClosedForm.OnlyFirstWanted(wanted);

    protected override Tensor?[] Products(TransposeSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        int[] perm = spec.Permutation((int)error.dim());
        var inverse = new long[perm.Length];
        for (int axis = 0; axis < perm.Length; axis++) inverse[perm[axis]] = axis;
        var products = new Tensor?[inputs.Count];
        products[0] = error.permute(inverse);
        return products;
    }
}
