using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The products of the unary functions of a transformer's GELU (<see cref="UnaryKernel"/>), as autograd's backward nodes
/// write them (derivatives.yaml), in the layout those operations give them: Erf's 2 / sqrt(pi) * exp(-(X^2)) * G in that order
/// of operations, and Gelu's gelu_backward(G, X) through TorchScript. The other functions stay on tapes.
/// </summary>
public sealed class UnaryClosedForm : ClosedForm<UnarySpec>
{
    private static readonly double TwoOverSqrtPi = 2.0 / Math.Sqrt(Math.PI);

    protected override bool Covers(UnarySpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        spec.Function is UnaryFunction.Erf or UnaryFunction.Gelu && ReshapeClosedForm.OnlyFirstWanted(wanted);

    protected override Tensor?[] Products(UnarySpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        var x = inputs[0]!;
        var product = spec.Function == UnaryFunction.Erf
            ? x.Pow(2).neg().exp().Times(TwoOverSqrtPi) * error
            : ScriptedOperation.Run("grad: Tensor, x: Tensor", ["return torch.gelu_backward(grad, x, approximate='none')"], error, x)[0];
        return [product];
    }
}
