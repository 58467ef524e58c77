using TorchSharp;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// f'(x) * E from an activation's output Y, as libtorch's autograd computes it, for closed-form gradients that contain
/// an activation (<see cref="RnnStepClosedForm"/>): each is the operation of autograd's backward node written with the
/// same rounding. A relu or tanh vertex on its own calls libtorch's own backward operator instead
/// (<see cref="ActivationClosedForm"/>): these take two passes over the tensor where that takes one.
/// </summary>
internal static class ActivationGradients
{
    private static readonly Scalar Zero = 0.ToScalar();
    private static readonly Scalar MinusOne = (-1).ToScalar();

    /// <summary>ReluBackward: E where Y &gt; 0, else 0.</summary>
    public static Tensor Relu(Tensor output, Tensor error) => error.masked_fill(output.le(Zero), Zero);

    /// <summary>
    /// TanhBackward: E (1 - Y^2), where libtorch computes the parenthesis as one fused multiply-add; addcmul is one too,
    /// while 1 - Y * Y in two operations rounds differently.
    /// </summary>
    public static Tensor Tanh(Tensor output, Tensor error)
    {
        using var one = ones([], output.dtype, output.device);
        return error * addcmul(one, output, output, MinusOne);
    }

    /// <summary>SigmoidBackward: E (1 - Y) Y, multiplied in that order, as libtorch's kernel multiplies.</summary>
    public static Tensor Sigmoid(Tensor output, Tensor error) => error * output.SubtractedFrom(1) * output;
}
