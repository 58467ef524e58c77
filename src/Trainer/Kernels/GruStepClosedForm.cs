using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;
using static ZilOnnx.Converter.Ops.RecurrentSlots;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The local products of a GRU time step written out (<see cref="IClosedForm"/>) for the configuration PyTorch's nn.GRU
/// exports: linear_before_reset, sigmoid gates, a tanh candidate, no clip or sequence lengths. Its forward pass keeps the
/// gates (<see cref="RecurrentCells.GruStep"/>: the kernel's own operations, so the values autograd saves), and each
/// product is formed as autograd's nodes form it:
/// lerp's G (1 - z) for the candidate, G z for H and G (H - h~) for z; tanh's and sigmoid's backward; the product
/// r * (H R_h^T + Rb_h) one factor times G each; the split's concatenation; then the two matrix products'
/// (<see cref="StepGradients"/>).
/// </summary>
public sealed class GruStepClosedForm : KeepingClosedForm<RecurrentStepSpec>
{
    protected override bool Covers(RecurrentStepSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        spec.Cell == RecurrentCell.Gru && spec.LinearBeforeReset && spec.Activations[0].Name == "Sigmoid"
        && spec.Activations[1].Name == "Tanh" && StepGradients.CoversSlots(spec, shapes, wanted);

    protected override (Tensor Output, Tensor[] Kept) Forward(RecurrentStepSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var (_, xt, h, w, r, bias) = StepOperands.Of(spec, inputs);
        var step = RecurrentCells.GruStep(spec, xt, h, w, r, bias);
        // The candidate's share of H R^T + Rb, which the reset gate multiplies.
        var resetState = step.FromState.narrow(1, 2 * spec.HiddenSize, spec.HiddenSize);
        return (step.State, [step.Update, step.Reset, step.Candidate, resetState]);
    }

    protected override Tensor?[] Products(RecurrentStepSpec spec, IReadOnlyList<Tensor?> inputs, Tensor error, IReadOnlyList<bool> wanted,
        Tensor[] kept)
    {
        var (x, xt, h, w, r, bias) = StepOperands.Of(spec, inputs);
        var (updateGate, resetGate, candidateGate, resetState) = (kept[0], kept[1], kept[2], kept[3]);

        var ofCandidate = ActivationGradients.Tanh(candidateGate, error * updateGate.SubtractedFrom(1));
        var ofUpdate = ActivationGradients.Sigmoid(updateGate, error * (h - candidateGate));
        var ofReset = ActivationGradients.Sigmoid(resetGate, ofCandidate * resetState);
        var fromInput = cat([ofUpdate, ofReset, ofCandidate], 1);
        var fromState = cat([ofUpdate, ofReset, ofCandidate * resetGate], 1);

        var products = new Tensor?[inputs.Count];
        if (wanted[PreviousState]) products[PreviousState] = (error * updateGate).Plus(MatrixProductGradients.OfLeft(fromState, h, r.t()));
        if (wanted[R]) products[R] = StepGradients.OfWeights(spec, fromState, h, r, inputs[R]!);
        if (wanted[X]) products[X] = StepGradients.OfSequence(spec, x, xt, w, fromInput);
        if (wanted[W]) products[W] = StepGradients.OfWeights(spec, fromInput, xt, w, inputs[W]!);
        if (wanted[B] && bias is not null)
        {
            // B = [Wb, Rb] was read through two narrows, each the bias of one affine map: each half takes its map's batch sum.
            long width = 3 * spec.HiddenSize;
            products[B] = StepGradients.ToDirections(spec,
                cat([BroadcastGradient.SumTo(fromInput, [width]), BroadcastGradient.SumTo(fromState, [width])], 0), inputs[B]!);
        }
        return products;
    }
}
