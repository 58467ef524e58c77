using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>Gemm as ONNX defines it; its local products are written out by <see cref="GemmClosedForm"/> where it covers them.</summary>
public sealed class GemmKernel : Kernel<GemmSpec>
{
    protected override Tensor Forward(GemmSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        Tensor a = Required(inputs, 0, "A"), b = Required(inputs, 1, "B");
        Tensor? c = Optional(inputs, 2);
        if (a.dim() != 2 || b.dim() != 2) throw new KernelException($"Gemm needs 2-D A and B, got {ShapeOf(a)} and {ShapeOf(b)}");
        var left = spec.TransA ? a.t() : a;
        var right = spec.TransB ? b.t() : b;
        if (left.size(1) != right.size(0))
            throw new KernelException($"Gemm: A' {ShapeOf(left)} and B' {ShapeOf(right)} do not multiply");
        if (c is not null)
        {
            long[] shape = [left.size(0), right.size(1)];
            if (spec.BroadcastC) Broadcast.CheckUnidirectional(shape, c, "Gemm C");
            else if (!c.Sizes().SequenceEqual(shape))
                throw new KernelException($"Gemm: C {ShapeOf(c)} must have the output's shape [{string.Join(", ", shape)}] (before " +
                    $"opset 7, broadcast = 0)");
            // The common case (a Linear layer) in one fused call, as torch's linear does: its backward is one
            // reduction for C instead of an add's expand, which shows on small layers.
            if (spec.Alpha == 1.0 && spec.Beta == 1.0) return c.addmm(left, right, 1, 1);
        }
        var y = left.mm(right);
        if (spec.Alpha != 1.0) y = y.Times(spec.Alpha);
        if (c is null) return y;
        return spec.Beta == 1.0 ? y.Plus(c) : y.Plus(c.Times(spec.Beta));
    }
}
