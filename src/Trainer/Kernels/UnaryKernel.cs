using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The unary elementwise functions, each written with PyTorch's own function where one exists, so that the local
/// vector-Jacobian product follows PyTorch's convention where the derivative is not defined:
/// LeakyRelu'(0) = alpha (leaky_relu: x &gt; 0 ? 1 : alpha); Elu'(0) = alpha and Selu'(0) = gamma * alpha
/// (elu: x &lt;= 0 takes the exponential branch); Celu'(0) = 1 (both sides agree); Abs'(0) = 0 (sign);
/// HardSigmoid' = 0 where alpha x + beta is exactly 0 or 1 (torch's hardsigmoid passes nothing on its
/// bounds, unlike clamp); HardSwish'(-3) = -0.5 and HardSwish'(3) = 1.5 (PyTorch's hardswish backward: the middle
/// formula on the closed interval [-3, 3]). Sqrt'(0), Log'(0) and Reciprocal'(0) are infinite, as in PyTorch.
/// </summary>
public sealed class UnaryKernel : Kernel<UnarySpec>
{
    protected override Tensor Forward(UnarySpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "X");
        return spec.Function switch
        {
            UnaryFunction.LeakyRelu => x.LeakyRelu(spec.Alpha),
            UnaryFunction.Elu => x.Elu(spec.Alpha),
            // gamma * elu(x, alpha) is the spec's formula; torch's selu fixes both constants.
            UnaryFunction.Selu => x.Elu(spec.Alpha).Times(spec.Beta),
            UnaryFunction.Celu => x.Celu(spec.Alpha),
            // torch's softplus returns x itself above 20, where log(1 + e^x) differs from x by under 2.1e-9.
            UnaryFunction.Softplus => nn.functional.softplus(x),
            UnaryFunction.Softsign => x.Softsign(),
            UnaryFunction.HardSigmoid => HardSigmoid(x, spec.Alpha, spec.Beta),
            UnaryFunction.HardSwish => HardSwish(x),
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

    /// <summary>
    /// max(0, min(1, alpha x + beta)), its gradient alpha strictly inside (0, 1) only: outside, the output is the
    /// constant 0 or 1, which carries no gradient.
    /// </summary>
    private static Tensor HardSigmoid(Tensor x, double alpha, double beta)
    {
        var y = x.Times(alpha).Plus(beta);
        return where(y.GreaterThan(0).logical_and(y.LessThan(1)), y, y.GreaterOrEqual(1).to_type(y.dtype));
    }

    /// <summary>
    /// x * max(0, min(1, x / 6 + 1/2)) by pieces, the middle one on the closed interval [-3, 3] as in PyTorch's
    /// hardswish backward (TorchSharp's functional hardswish is a composite that gives 0 and 1 on the bounds).
    /// </summary>
    private static Tensor HardSwish(Tensor x) =>
        where(x.LessThan(-3), zeros_like(x), where(x.LessOrEqual(3), x * x.DividedBy(6).Plus(0.5), x));

    /// <summary>The spec's tanh approximation: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).</summary>
    private static Tensor GeluTanh(Tensor x) =>
        x.Times(0.5) * x.Plus(x.Pow(3).Times(0.044715)).Times(Math.Sqrt(2 / Math.PI)).tanh().Plus(1);
}
