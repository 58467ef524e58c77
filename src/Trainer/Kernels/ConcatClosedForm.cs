using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// Concat's products: <see cref="ConcatKernel"/> is one cat, whose backward (libtorch's cat_tensors_backward) hands each input
/// the narrow of the error at that input's place along the axis, a view of the error. Inputs with no elements, which that
/// backward treats apart, stay with autograd.
/// </summary>
public sealed class ConcatClosedForm : ClosedForm<ConcatSpec>
{
    protected override bool Covers(ConcatSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted)
    {
        var given = shapes.Where(s => s is not null).Select(s => s!).ToList();
        return given.Count > 0 && given.All(s => s.Length == given[0].Length && s.Length > 0 && !s.Contains(0));
    }

    protected override Tensor?[] Products(ConcatSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        int axis = spec.ResolvedAxis((int)error.dim());
        var products = new Tensor?[inputs.Count];
        long offset = 0;
        for (int slot = 0; slot < inputs.Count; slot++)
        {
            if (inputs[slot] is not { } input) continue;
            long size = input.size(axis);
            if (wanted[slot]) products[slot] = error.narrow(axis, offset, size);
            offset += size;
        }
        return products;
    }
}
