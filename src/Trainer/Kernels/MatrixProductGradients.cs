using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The two products of a matrix product's backward pass (C = A B, gradient G of C), computed as libtorch's autograd
/// computes them for mm and addmm: G B^T for A and A^T G for B, each in the transposed form when that operand is
/// stored column-major (autograd keeps a gradient in its operand's layout), so closed forms round as autograd (the contract
/// of <see cref="IClosedForm"/>).
/// </summary>
internal static class MatrixProductGradients
{
    /// <summary>The gradient of A in C = A B.</summary>
    public static Tensor OfLeft(Tensor grad, Tensor left, Tensor right) =>
        IsColumnMajor(left) ? right.mm(grad.t()).t() : grad.mm(right.t());

    /// <summary>The gradient of B in C = A B.</summary>
    public static Tensor OfRight(Tensor grad, Tensor left, Tensor right) =>
        IsColumnMajor(right) ? grad.t().mm(left).t() : left.t().mm(grad);

    private static bool IsColumnMajor(Tensor matrix)
    {
        var strides = matrix.stride();
        return strides[0] == 1 && strides[1] == matrix.size(0);
    }
}
