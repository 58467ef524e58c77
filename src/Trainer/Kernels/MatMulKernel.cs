using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

public sealed class MatMulKernel : Kernel<MatMulSpec>
{
    protected override Tensor Forward(MatMulSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        Tensor a = Required(inputs, 0, "A"), b = Required(inputs, 1, "B");
        // torch.matmul aborts the process on mismatched shapes instead of throwing: check them first.
        if (a.dim() == 0 || b.dim() == 0) throw new KernelException("MatMul operands must have rank >= 1");
        long[] aSizes = a.Sizes(), bSizes = b.Sizes();
        long inner = aSizes[^1];
        long other = bSizes.Length == 1 ? bSizes[0] : bSizes[^2];
        if (inner != other) throw new KernelException($"MatMul: {ShapeOf(a)} and {ShapeOf(b)} do not multiply");
        if (aSizes.Length > 2 && bSizes.Length > 2)
            for (int i = 3; i <= Math.Min(aSizes.Length, bSizes.Length); i++)
                if (aSizes[^i] != bSizes[^i] && aSizes[^i] != 1 && bSizes[^i] != 1)
                    throw new KernelException($"MatMul: batch dimensions of {ShapeOf(a)} and {ShapeOf(b)} do not broadcast");
        if (a.dim() >= 3 && b.dim() == 2) return Folded(a, b);
        return matmul(a, b);
    }

    /// <summary>
    /// [..., M, K] x [K, N] as one mm on A's rows, the form libtorch's matmul takes whenever B requires a gradient (backprop's
    /// weights do), but takes for a B without one only when A's batch axes are contiguous (at::native::should_fold). Written
    /// out, the product rounds the same whether or not autograd records it, so Z-IL's forward without a graph equals
    /// backprop's and <see cref="MatMulClosedForm"/> knows the operations to differentiate.
    /// </summary>
    internal static Tensor Folded(Tensor a, Tensor b)
    {
        long[] aSizes = a.Sizes();
        long[] shape = [.. aSizes[..^1], b.size(1)];
        return a.reshape(-1, aSizes[^1]).mm(b).view(shape);
    }
}
