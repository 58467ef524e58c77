using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;
using static ZilOnnx.Converter.Ops.RecurrentSlots;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The local products of an LSTM time step written out (<see cref="IClosedForm"/>) for the configuration PyTorch's nn.LSTM
/// exports: sigmoid gates, tanh candidate and cell activation, no peepholes, input_forget, clip or sequence lengths. Its
/// forward pass keeps the gates (<see cref="RecurrentCells.LstmStep"/>: the kernel's own operations, so the values
/// autograd saves), and each product is formed as autograd's nodes form it: the state's concatenation taken
/// apart, o * h(C_t) and the products f * C and i * c~ one factor times G each, C_t's two gradients added, the gates'
/// sigmoid and tanh backward, their concatenation, then the two matrix products' (<see cref="StepGradients"/>).
/// </summary>
public sealed class LstmStepClosedForm : KeepingClosedForm<RecurrentStepSpec>
{
    protected override bool Covers(RecurrentStepSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        spec.Cell == RecurrentCell.Lstm && !spec.InputForget && spec.Activations[0].Name == "Sigmoid"
        && spec.Activations[1].Name == "Tanh" && spec.Activations[2].Name == "Tanh"
        && (P >= shapes.Count || shapes[P] is null) && StepGradients.CoversSlots(spec, shapes, wanted);

    protected override (Tensor Output, Tensor[] Kept) Forward(RecurrentStepSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var (_, xt, previous, w, r, bias) = StepOperands.Of(spec, inputs);
        var (h, c) = RecurrentCells.LstmHalves(spec, previous);
        var step = RecurrentCells.LstmStep(spec, RecurrentCells.SummedPreActivation(spec, xt, h, w, r, bias), c, peephole: null);
        return (step.State, [step.Input, step.Forget, step.Candidate, step.Output, step.CellActivation]);
    }

    protected override Tensor?[] Products(RecurrentStepSpec spec, IReadOnlyList<Tensor?> inputs, Tensor error, IReadOnlyList<bool> wanted,
        Tensor[] kept)
    {
        var (x, xt, previous, w, r, bias) = StepOperands.Of(spec, inputs);
        var (h, c) = RecurrentCells.LstmHalves(spec, previous);
        var (inputGate, forgetGate, candidateGate, outputGate, cellActivation) = (kept[0], kept[1], kept[2], kept[3], kept[4]);
        long n = spec.HiddenSize;

        var ofH = error.narrow(1, 0, n);
        var ofCell = error.narrow(1, n, n).Plus(ActivationGradients.Tanh(cellActivation, ofH * outputGate));
        var gates = cat([
            ActivationGradients.Sigmoid(inputGate, ofCell * candidateGate),
            ActivationGradients.Sigmoid(outputGate, ofH * cellActivation),
            ActivationGradients.Sigmoid(forgetGate, ofCell * c),
            ActivationGradients.Tanh(candidateGate, ofCell * inputGate),
        ], 1);

        var products = new Tensor?[inputs.Count];
        if (wanted[PreviousState]) products[PreviousState] = cat([MatrixProductGradients.OfLeft(gates, h, r.t()), ofCell * forgetGate], 1);
        if (wanted[R]) products[R] = StepGradients.OfWeights(spec, gates, h, r, inputs[R]!);
        if (wanted[X]) products[X] = StepGradients.OfSequence(spec, x, xt, w, gates);
        if (wanted[W]) products[W] = StepGradients.OfWeights(spec, gates, xt, w, inputs[W]!);
        if (wanted[B] && bias is not null) products[B] = StepGradients.OfSummedBiases(spec, gates, inputs[B]!);
        return products;
    }
}
