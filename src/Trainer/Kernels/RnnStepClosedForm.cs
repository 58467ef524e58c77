using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;
using static ZilOnnx.Converter.Ops.RecurrentSlots;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The local products of a plain RNN time step, H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb), written out
/// (<see cref="IClosedForm"/>) for f = tanh or relu without clip or sequence lengths, the configurations
/// PyTorch's nn.RNN exports. With G = f'(..) * E: G R for H_{t-1}, G W for X_t, G^T H_{t-1} for R, G^T X_t for W and
/// the column sums of G for both halves of B, each as autograd forms it through the forward pass's addmm, squeeze
/// and select (<see cref="StepGradients"/>).
/// </summary>
public sealed class RnnStepClosedForm : ClosedForm<RecurrentStepSpec>
{
    protected override bool Covers(RecurrentStepSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        spec.Cell == RecurrentCell.Rnn && spec.Activations[0].Name is "Tanh" or "Relu" && StepGradients.CoversSlots(spec, shapes, wanted);

    protected override Tensor?[] Products(RecurrentStepSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        var (x, xt, h, w, r, bias) = StepOperands.Of(spec, inputs);
        var g = spec.Activations[0].Name == "Relu" ? ActivationGradients.Relu(output, error) : ActivationGradients.Tanh(output, error);
        var products = new Tensor?[inputs.Count];
        if (wanted[PreviousState]) products[PreviousState] = MatrixProductGradients.OfLeft(g, h, r.t());
        if (wanted[R]) products[R] = StepGradients.OfWeights(spec, g, h, r, inputs[R]!);
        if (wanted[X]) products[X] = StepGradients.OfSequence(spec, x, xt, w, g);
        if (wanted[W]) products[W] = StepGradients.OfWeights(spec, g, xt, w, inputs[W]!);
        if (wanted[B] && bias is not null) products[B] = StepGradients.OfSummedBiases(spec, g, inputs[B]!);
        return products;
    }
}
