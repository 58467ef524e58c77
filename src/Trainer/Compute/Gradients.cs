using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Compute;

/// <summary>
/// autograd.grad by a call that lets libtorch's errors reach .NET. TorchSharp's autograd.grad (THSAutograd_grad) does
/// not catch what libtorch throws: an exception inside the backward pass (an allocation that fails, a gradient of the
/// wrong shape) escapes into .NET's frames and ends the process at once (`terminate called after throwing an instance
/// of 'c10::Error'`, exit code 134), past every handler; measured on LeNet-5 at batch 10000 under `ulimit -v 8000000`, in
/// the witness's convolution backward. Its autograd.backward (THSAutograd_backward) catches them and raises an
/// ExternalException. So the products are taken with backward, told to accumulate into the given inputs alone, and read
/// from their .grad: what grad returns, bitwise (the engine sums an input's terms in the same order either way, and an
/// empty .grad takes the sum as it is), at no cost `zilonnx bench` can measure in bp's or zil's step.
/// </summary>
public static class Gradients
{
    /// <param name="inputs">Leaves with no gradient yet (fresh <c>detach().requires_grad_(true)</c> tensors), distinct.</param>
    /// <param name="outputGradients">The vectors of the vector-Jacobian products; null for scalar outputs (a loss).</param>
    /// <returns>Each input's product, or null for an input the outputs do not depend on.</returns>
    public static Tensor?[] Of(IList<Tensor> outputs, IList<Tensor> inputs, IList<Tensor>? outputGradients = null)
    {
        autograd.backward(outputs, outputGradients, retain_graph: false, create_graph: false, inputs: inputs);
        return inputs.Select(input => input.grad.Defined()).ToArray();
    }
}
