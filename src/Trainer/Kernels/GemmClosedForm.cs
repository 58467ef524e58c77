using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// Gemm's products, written out for alpha = 1 and beta = 1 (or no C), the Linear layer's form: <see cref="GemmKernel"/>'s
/// forward pass is then one addmm (or mm), whose backward gives G B'^T for A', A'^T G for B' (each transposed back when
/// the attribute transposed it) and G summed to C's shape.
/// </summary>
public sealed class GemmClosedForm : ClosedForm<GemmSpec>
{
    protected override bool Covers(GemmSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        spec.Alpha == 1.0 && (spec.Beta == 1.0 || shapes.Count < 3 || shapes[2] is null);

    protected override Tensor?[] Products(GemmSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        Tensor a = inputs[0]!, b = inputs[1]!;
        var left = spec.TransA ? a.t() : a;
        var right = spec.TransB ? b.t() : b;
        var products = new Tensor?[inputs.Count];
        if (wanted[0])
        {
            var product = MatrixProductGradients.OfLeft(error, left, right);
            products[0] = spec.TransA ? product.t() : product;
        }
        if (wanted[1])
        {
            var product = MatrixProductGradients.OfRight(error, left, right);
            products[1] = spec.TransB ? product.t() : product;
        }
        if (wanted.Count > 2 && wanted[2]) products[2] = BroadcastGradient.SumTo(error, inputs[2]!.Sizes());
        return products;
    }
}
