using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The unary elementwise functions, each written with PyTorch's own function where one exists, so that the local
/// vector-Jacobian product follows PyTorch's convention where the derivative is not defined:
/// LeakyRelu'(0) = alpha (leaky_relu: x &gt; 0 ? 1 : alpha); Elu'(0) = alpha and Selu'(0) = gamma * alpha
/// (elu: x &lt;= 0 takes the exponential branch); Celu'(0) = 1 (both sides agree); Abs'(0) = 0 (sign);
/// HardSigmoid' = 0 where alpha x + beta is exactly 0 or 1 (hardtanh, like torch's hardsigmoid, passes nothing
/// on the bounds); HardSwish'(-3) = -0.5 and HardSwish'(3) = 1.5 (torch's hardswish: the middle formula on
/// the closed interval [-3, 3]). Sqrt'(0), Log'(0) and Reciprocal'(0) are infinite, as in PyTorch.
/// </summary>
public sealed class UnaryKernel : Kernel<UnarySpec>
{
    protected override Tensor Forward(UnarySpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        return spec.Function switch
        {
            UnaryFunction.LeakyRelu => nn.functional.leaky_relu(x, spec.Alpha),
            UnaryFunction.Elu => nn.functional.elu(x, spec.Alpha),
            // gamma * elu(x, alpha) is the spec's formula; torch's selu fixes both constants.
            UnaryFunction.Selu => nn.functional.elu(x, spec.Alpha) * spec.Beta,
            UnaryFunction.Celu => nn.functional.celu(x, spec.Alpha),
            // torch's softplus returns x itself above 20, where log(1 + e^x) differs from x by under 2.1e-9.
            UnaryFunction.Softplus => nn.functional.softplus(x),
            UnaryFunction.Softsign => nn.functional.softsign(x),
            UnaryFunction.HardSigmoid => nn.functional.hardtanh(x * spec.Alpha + spec.Beta, 0.0, 1.0),
            UnaryFunction.HardSwish => nn.functional.hardswish(x),
            UnaryFunction.Gelu => nn.functional.gelu(x),
            UnaryFunction.GeluTanh => GeluTanh(x),
            UnaryFunction.Erf => x.erf(),
            UnaryFunction.Neg => x.neg(),
            UnaryFunction.Exp => x.exp(),
            UnaryFunction.Log => x.log(),
            UnaryFunction.Sqrt => x.sqrt(),
            UnaryFunction.Abs => x.abs(),
            UnaryFunction.Reciprocal => x.reciprocal(),
            _ => throw new KernelException($"{spec.OpType} has no kernel"),
        };
    }

    /// <summary>The spec's tanh approximation: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).</summary>
    private static Tensor GeluTanh(Tensor x) =>
        x * 0.5 * (1 + (Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x.pow(3))).tanh());
}
