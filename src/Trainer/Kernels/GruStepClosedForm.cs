using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;
using static ZilOnnx.Converter.Ops.RecurrentSlots;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The local products of a GRU time step written out (<see cref="IClosedForm"/>) with sigmoid gates and a tanh candidate,
/// no clip or sequence lengths, with or without linear_before_reset (PyTorch's nn.GRU exports it, the ONNX default has
/// not). Its forward pass keeps the gates (<see cref="RecurrentCells.GruStep"/>: the kernel's own operations, so the
/// values autograd saves), and each product is formed as autograd's nodes form it: lerp's G (1 - z) for the candidate,
/// G z for H and G (H - h~) for z; tanh's and sigmoid's backward; the reset gate's product one factor times G each (with
/// (H R_h^T + Rb_h), or with H inside the candidate's own matrix product); the split's concatenation; then the matrix
/// products' (<see cref="StepGradients"/>).
/// </summary>
public sealed class GruStepClosedForm : KeepingClosedForm<RecurrentStepSpec>
{
    protected override bool Covers(RecurrentStepSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        spec.Cell == RecurrentCell.Gru && spec.Activations[0].Name == "Sigmoid" && spec.Activations[1].Name == "Tanh"
        && StepGradients.CoversSlots(spec, shapes, wanted);

    protected override (Tensor Output, Tensor[] Kept) Forward(RecurrentStepSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var (_, xt, h, w, r, bias) = StepOperands.Of(spec, inputs);
        var step = RecurrentCells.GruStep(spec, xt, h, w, r, bias);
        return (step.State, [step.Update, step.Reset, step.Candidate, step.ResetProduct]);
    }

    protected override Tensor?[] Products(RecurrentStepSpec spec, IReadOnlyList<Tensor?> inputs, Tensor error, IReadOnlyList<bool> wanted,
        Tensor[] kept)
    {
        var (x, xt, h, w, r, bias) = StepOperands.Of(spec, inputs);
        var (updateGate, resetGate, candidateGate, resetProduct) = (kept[0], kept[1], kept[2], kept[3]);
        long n = spec.HiddenSize;
        // The weights H R^T reads, as the forward pass reads them: all three gates' with linear_before_reset, else the
        // update and reset gates', beside the candidate's own, which multiply r * H.
        var stateWeights = spec.LinearBeforeReset ? r : r.narrow(0, 0, 2 * n);
        var candidateWeights = r.narrow(0, 2 * n, n);

        var ofCandidate = ActivationGradients.Tanh(candidateGate, error * updateGate.SubtractedFrom(1));
        var ofUpdate = ActivationGradients.Sigmoid(updateGate, error * (h - candidateGate));
        Tensor ofReset, fromState;
        Tensor? ofResetProduct = null;
        if (spec.LinearBeforeReset)
        {
            ofReset = ActivationGradients.Sigmoid(resetGate, ofCandidate * resetProduct);
            fromState = cat([ofUpdate, ofReset, ofCandidate * resetGate], 1);
        }
        else
        {
            // h~ = g(.. + (r * H) R_h^T + Rb_h): R_h's matrix product first, then r * H's two factors.
            ofResetProduct = MatrixProductGradients.OfLeft(ofCandidate, resetProduct, candidateWeights.t());
            ofReset = ActivationGradients.Sigmoid(resetGate, ofResetProduct * h);
            fromState = cat([ofUpdate, ofReset], 1);
        }
        var fromInput = cat([ofUpdate, ofReset, ofCandidate], 1);

        var products = new Tensor?[inputs.Count];
        if (wanted[PreviousState])
        {
            // H's terms in the order autograd adds them: lerp's, the reset product's (without linear_before_reset), then
            // the matrix product's.
            var ofH = error * updateGate;
            if (ofResetProduct is not null) ofH = ofH.Plus(ofResetProduct * resetGate);
            products[PreviousState] = ofH.Plus(MatrixProductGradients.OfLeft(fromState, h, stateWeights.t()));
        }
        if (wanted[R])
        {
            var ofWeights = MatrixProductGradients.OfRight(fromState, h, stateWeights.t()).t();
            if (!spec.LinearBeforeReset)
                ofWeights = cat([ofWeights, MatrixProductGradients.OfRight(ofCandidate, resetProduct, candidateWeights.t()).t()], 0);
            products[R] = StepGradients.ToDirections(spec, ofWeights, inputs[R]!);
        }
        if (wanted[X]) products[X] = StepGradients.OfSequence(spec, x, xt, w, fromInput);
        if (wanted[W]) products[W] = StepGradients.OfWeights(spec, fromInput, xt, w, inputs[W]!);
        if (wanted[B] && bias is not null)
        {
            // B = [Wb, Rb] was read through narrows, each the bias of one affine map: each part takes its map's batch sum.
            Tensor[] parts = [BroadcastGradient.SumTo(fromInput, [3 * n]), BroadcastGradient.SumTo(fromState, [fromState.size(1)]),
                .. spec.LinearBeforeReset ? Array.Empty<Tensor>() : [BroadcastGradient.SumTo(ofCandidate, [n])]];
            products[B] = StepGradients.ToDirections(spec, cat(parts, 0), inputs[B]!);
        }
        return products;
    }
}
