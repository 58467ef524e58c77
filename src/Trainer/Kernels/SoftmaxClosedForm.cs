using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The product of Softmax or LogSoftmax over one axis (opset 13 on, <see cref="SoftmaxKernel"/>): libtorch's
/// _softmax_backward_data or _log_softmax_backward_data on the output, the operator autograd's backward node runs, through
/// TorchScript, in the layout the operator gives it. The older form over flattened trailing axes stays on a tape.
/// </summary>
public sealed class SoftmaxClosedForm : ClosedForm<SoftmaxSpec>
{
    protected override bool Covers(SoftmaxSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        !spec.CoerceTo2D && ReshapeClosedForm.OnlyFirstWanted(wanted);

    protected override Tensor?[] Products(SoftmaxSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        long axis = spec.Axis < 0 ? spec.Axis + output.dim() : spec.Axis;
        string op = spec.Log ? "_log_softmax_backward_data" : "_softmax_backward_data";
        var product = ScriptedOperation.Run("grad: Tensor, output: Tensor", [$"return torch.{op}(grad, output, {axis}, output.dtype)"],
            error, output)[0];
        return [product];
    }
}
