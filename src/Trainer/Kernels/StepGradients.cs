using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;
using static ZilOnnx.Converter.Ops.RecurrentSlots;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// What the recurrent steps' closed forms (<see cref="RnnStepClosedForm"/>, <see cref="GruStepClosedForm"/>,
/// <see cref="LstmStepClosedForm"/>) share: the products of the matrix products X_t W^T (+ bias) and H R^T, each mapped back
/// through the views <see cref="StepOperands"/> took, as autograd forms them (<see cref="MatrixProductGradients"/>).
/// </summary>
internal static class StepGradients
{
    /// <summary>The step's inputs a gated closed form covers: an initial state or lengths that take a product stay with autograd.</summary>
    public static bool CoversSlots(RecurrentStepSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted)
    {
        if (spec.Clip != null || SequenceLengths < shapes.Count && shapes[SequenceLengths] is not null) return false;
        for (int slot = 0; slot < wanted.Count; slot++)
            if (wanted[slot] && slot is not (X or PreviousState or W or R or B)) return false;
        return true;
    }

    /// <summary>G W for X: the time slice's gradient placed in a zero sequence, as autograd's select backward places it.</summary>
    public static Tensor OfSequence(RecurrentStepSpec spec, Tensor x, Tensor xt, Tensor w, Tensor grad)
    {
        var product = zeros_like(x);
        product.select(StepOperands.TimeDimension(spec), spec.Time).copy_(MatrixProductGradients.OfLeft(grad, xt, w.t()));
        return product;
    }

    /// <summary>G^T A for the weights of A W^T, as a gradient of the [num_directions, ...] input.</summary>
    public static Tensor OfWeights(RecurrentStepSpec spec, Tensor grad, Tensor left, Tensor weights, Tensor perDirection) =>
        ToDirections(spec, MatrixProductGradients.OfRight(grad, left, weights.t()).t(), perDirection);

    /// <summary>
    /// The gradient of B where Wb + Rb was summed from B viewed as [2, width] (<see cref="RecurrentCells.SummedPreActivation"/>):
    /// both halves take the batch sum of G.
    /// </summary>
    public static Tensor OfSummedBiases(RecurrentStepSpec spec, Tensor grad, Tensor perDirection)
    {
        long width = grad.size(1);
        return ToDirections(spec, BroadcastGradient.SumTo(grad, [width]).expand(2, width).reshape(2 * width), perDirection);
    }

    /// <summary>One direction's term as a gradient of the [num_directions, ...] input (the backward of OfDirection).</summary>
    public static Tensor ToDirections(RecurrentStepSpec spec, Tensor term, Tensor perDirection)
    {
        if (perDirection.size(0) == 1) return term.unsqueeze(0);
        var full = zeros_like(perDirection);
        full.select(0, spec.Direction).copy_(term);
        return full;
    }
}
