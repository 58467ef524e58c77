using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The product of Relu, Sigmoid or Tanh on its own (<see cref="ActivationKernel"/>): the operator autograd's backward node
/// runs on the output Y (derivatives.yaml: threshold_backward(G, Y, 0), sigmoid_backward(G, Y), tanh_backward(G, Y)),
/// called through TorchScript (<see cref="ScriptedOperation"/>), one pass over the tensor as on a tape, in the layout the
/// operator gives it. Written with TorchSharp's own operations (<see cref="ActivationGradients"/>) a relu takes two
/// passes, which on LeNet-5's feature maps cost more than the autograd call it saved.
/// </summary>
public sealed class ActivationClosedForm : ClosedForm<ActivationSpec>
{
    protected override bool Covers(ActivationSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        ReshapeClosedForm.OnlyFirstWanted(wanted);

    protected override Tensor?[] Products(ActivationSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        string call = spec.Kind switch
        {
            Activation.Relu => "torch.threshold_backward(grad, output, 0)",
            Activation.Sigmoid => "torch.sigmoid_backward(grad, output)",
            Activation.Tanh => "torch.tanh_backward(grad, output)",
            _ => throw new InvalidOperationException($"{spec.Kind} has no closed form"),
        };
        var product = ScriptedOperation.Run("grad: Tensor, output: Tensor", [$"return {call}"], error, output)[0];
        return [product];
    }
}
