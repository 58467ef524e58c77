using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// MatMul's products, written out where <see cref="MatMulKernel"/>'s forward pass is one matrix product: two matrices (mm),
/// [..., M, K] x [K, N] folded into one mm (<see cref="MatMulKernel.Folded"/>; the linear layers of a transformer), and two
/// stacks of matrices with the same batch axes, which libtorch's matmul reshapes to [B, M, K] and [B, K, N] for one bmm
/// (attention's scores and its weighted sum). The products are those of mm's and bmm's backward on the same reshaped
/// operands, reshaped back. Broadcast batch axes and vectors stay with autograd.
/// </summary>
public sealed class MatMulClosedForm : ClosedForm<MatMulSpec>
{
    protected override bool Covers(MatMulSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted)
    {
        if (shapes.Count != 2 || shapes[0] is not { } a || shapes[1] is not { } b || b.Length < 2 || a.Length < 2) return false;
        if (b.Length == 2) return true;
        return a.Length == b.Length && a[..^2].SequenceEqual(b[..^2]);
    }

    protected override Tensor?[] Products(MatMulSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        Tensor a = inputs[0]!, b = inputs[1]!;
        var products = new Tensor?[2];
        if (b.dim() == 2)
        {
            // mm directly for two matrices; the folded rows of A otherwise (the reshapes are views where A allows one).
            var rows = a.dim() == 2 ? a : a.reshape(-1, a.size(-1));
            var grad = a.dim() == 2 ? error : error.reshape(-1, b.size(1));
            if (wanted[0]) products[0] = a.dim() == 2 ? MatrixProductGradients.OfLeft(grad, rows, b)
                : MatrixProductGradients.OfLeft(grad, rows, b).reshape(a.Sizes());
            if (wanted[1]) products[1] = MatrixProductGradients.OfRight(grad, rows, b);
            return products;
        }
        // bmm's backward (derivatives.yaml): grad.bmm(mat2^T) for self, self^T.bmm(grad) for mat2.
        long[] aSizes = a.Sizes(), bSizes = b.Sizes();
        long batch = aSizes[..^2].Aggregate(1L, (p, d) => p * d);
        var left = a.reshape(batch, aSizes[^2], aSizes[^1]);
        var right = b.reshape(batch, bSizes[^2], bSizes[^1]);
        var batched = error.reshape(batch, aSizes[^2], bSizes[^1]);
        if (wanted[0]) products[0] = batched.bmm(right.transpose(1, 2)).reshape(aSizes);
        if (wanted[1]) products[1] = left.transpose(1, 2).bmm(batched).reshape(bSizes);
        return products;
    }
}
