using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;
using static ZilOnnx.Converter.Ops.RecurrentSlots;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The local products of a plain RNN time step, H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb), written out
/// (<see cref="IClosedForm"/>) for f = tanh or relu without clip or sequence lengths, the configurations
/// PyTorch's nn.RNN exports. With G = f'(..) * E: G R for H_{t-1}, G W for X_t, G^T H_{t-1} for R, G^T X_t for W and
/// the column sums of G for both halves of B, each as autograd forms it through the forward pass's addmm, squeeze
/// and select (<see cref="MatrixProductGradients"/>).
/// </summary>
public sealed class RnnStepClosedForm : ClosedForm<RecurrentStepSpec>
{
    protected override bool Covers(RecurrentStepSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted)
    {
        if (spec.Cell != RecurrentCell.Rnn || spec.Clip != null || spec.Activations[0].Name is not ("Tanh" or "Relu")) return false;
        if (SequenceLengths < shapes.Count && shapes[SequenceLengths] is not null) return false;
        // An initial state (or lengths) that takes a product stays with autograd.
        for (int slot = 0; slot < wanted.Count; slot++)
            if (wanted[slot] && slot is not (X or PreviousState or W or R or B)) return false;
        return true;
    }

    protected override Tensor?[] Products(RecurrentStepSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        var (x, xt, h, w, r, bias) = StepOperands.Of(spec, inputs);
        var g = ActivationBackward(spec, output, error);
        var products = new Tensor?[inputs.Count];
        if (wanted[PreviousState]) products[PreviousState] = MatrixProductGradients.OfLeft(g, h, r.t());
        if (wanted[R]) products[R] = ToDirections(spec, MatrixProductGradients.OfRight(g, h, r.t()).t(), inputs[R]!);
        if (wanted[X])
        {
            // The slice's gradient placed in a zero sequence, as autograd's select backward places it.
            products[X] = zeros_like(x);
            products[X]!.select(StepOperands.TimeDimension(spec), spec.Time).copy_(MatrixProductGradients.OfLeft(g, xt, w.t()));
        }
        if (wanted[W]) products[W] = ToDirections(spec, MatrixProductGradients.OfRight(g, xt, w.t()).t(), inputs[W]!);
        if (wanted[B] && bias is not null)
        {
            // Wb + Rb was summed from B viewed as [2, width]: both halves take the batch sum of G.
            long width = g.shape[1];
            products[B] = ToDirections(spec, BroadcastGradient.SumTo(g, [width]).expand(2, width).reshape(2 * width), inputs[B]!);
        }
        return products;
    }

    private static Tensor ActivationBackward(RecurrentStepSpec spec, Tensor output, Tensor error) =>
        spec.Activations[0].Name == "Relu" ? ActivationGradients.Relu(output, error) : ActivationGradients.Tanh(output, error);

    /// <summary>One direction's term as a gradient of the [num_directions, ...] input (the backward of OfDirection).</summary>
    private static Tensor ToDirections(RecurrentStepSpec spec, Tensor term, Tensor perDirection)
    {
        if (perDirection.shape[0] == 1) return term.unsqueeze(0);
        var full = zeros_like(perDirection);
        full.select(0, spec.Direction).copy_(term);
        return full;
    }
}
