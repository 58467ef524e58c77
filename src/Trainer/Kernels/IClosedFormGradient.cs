using ZilOnnx.Converter.Graph;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// A kernel that also writes its local vector-Jacobian products out, for the configurations it covers. Z-IL then
/// takes a vertex's products without recording an autograd graph or calling the autograd engine: that call has a fixed
/// cost (about 10 us on a CPU) which, paid once per inference step, is most of what a small vertex such as one RNN
/// time step costs beyond backprop. Each product is made of the operations autograd runs for <see cref="IKernel.Forward"/>,
/// on the same layouts, so that it is bitwise the product autograd gives (RnnStepClosedFormTests and GemmClosedFormTests
/// hold every covered configuration to that); anything else stays with autograd.
/// </summary>
public interface IClosedFormGradient
{
    /// <summary>Whether the products of this configuration are written out; <paramref name="wanted"/>[i] says whether input i needs one.</summary>
    bool Covers(OpSpec spec, IReadOnlyList<Tensor?> inputs, IReadOnlyList<bool> wanted);

    /// <summary>
    /// J_i^T <paramref name="error"/> for every wanted input i, shaped like that input; null for the others.
    /// <paramref name="output"/> is what Forward made of <paramref name="inputs"/>.
    /// </summary>
    Tensor?[] Backward(OpSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error, IReadOnlyList<bool> wanted);
}
