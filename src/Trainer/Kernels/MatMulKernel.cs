using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

public sealed class MatMulKernel : Kernel<MatMulSpec>
{
    protected override Tensor Forward(MatMulSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        Tensor a = Required(inputs, 0, "A"), b = Required(inputs, 1, "B");
        // torch.matmul aborts the process on mismatched shapes instead of throwing: check them first.
        if (a.dim() == 0 || b.dim() == 0) throw new KernelException("MatMul operands must have rank >= 1");
        long inner = a.shape[^1];
        long other = b.dim() == 1 ? b.shape[0] : b.shape[^2];
        if (inner != other) throw new KernelException($"MatMul: {ShapeOf(a)} and {ShapeOf(b)} do not multiply");
        if (a.dim() > 2 && b.dim() > 2)
            for (int i = 3; i <= Math.Min(a.dim(), b.dim()); i++)
                if (a.shape[^i] != b.shape[^i] && a.shape[^i] != 1 && b.shape[^i] != 1)
                    throw new KernelException($"MatMul: batch dimensions of {ShapeOf(a)} and {ShapeOf(b)} do not broadcast");
        return matmul(a, b);
    }
}
