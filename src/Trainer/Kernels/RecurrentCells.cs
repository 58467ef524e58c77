using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The gated cells of one recurrent time step with the values their gradients are made of: the kernel's forward pass
/// (<see cref="RecurrentStepKernel"/>) keeps only the state, the closed forms (<see cref="GruStepClosedForm"/>,
/// <see cref="LstmStepClosedForm"/>) run the same operations again and read the gates, so both see the same values bit for
/// bit.
/// </summary>
internal static class RecurrentCells
{
    /// <summary>
    /// A GRU step's values: the gates after their activations, and what the reset gate multiplies or makes: with
    /// linear_before_reset the candidate's share of H R^T + Rb (which r multiplies), else r * H (which R_h multiplies).
    /// </summary>
    public readonly record struct Gru(Tensor State, Tensor Update, Tensor Reset, Tensor Candidate, Tensor ResetProduct);

    /// <summary>An LSTM step's values: the gates after their activations and h(C_t) of the new cell.</summary>
    public readonly record struct Lstm(Tensor State, Tensor Input, Tensor Forget, Tensor Candidate, Tensor Output, Tensor CellActivation);

    public static Tensor Gate(RecurrentStepSpec spec, int activation, Tensor preActivation) =>
        RecurrentActivations.Apply(spec.Activations[activation], spec.Clip is { } c ? preActivation.Clamp(-c, c) : preActivation);

    /// <summary>x W^T + b, the bias accumulated inside the product.</summary>
    public static Tensor Affine(Tensor x, Tensor w, Tensor? bias) => bias is null ? x.mm(w.t()) : bias.addmm(x, w.t(), 1, 1);

    /// <summary>
    /// X_t W^T + H_{t-1} R^T + (Wb + Rb): every gate of an RNN or LSTM, two matrix products accumulated onto the summed
    /// biases, so a step costs two addmm and no separate additions.
    /// </summary>
    public static Tensor SummedPreActivation(RecurrentStepSpec spec, Tensor xt, Tensor h, Tensor w, Tensor r, Tensor? bias)
    {
        var fromInput = Affine(xt, w, bias?.view(2, spec.Gates * spec.HiddenSize).sum(dim: 0));
        return fromInput.addmm(h, r.t(), 1, 1);
    }

    /// <summary>
    /// z = f(.. z), r = f(.. r); h~ = g(X W_h^T + (r * H) R_h^T + Rb_h + Wb_h), or with linear_before_reset
    /// g(X W_h^T + r * (H R_h^T + Rb_h) + Wb_h); H_t = (1 - z) * h~ + z * H, computed as the lerp h~ + z * (H - h~).
    /// With linear_before_reset (how PyTorch's GRU exports) all three gates take H R^T + Rb: one product, split.
    /// </summary>
    public static Gru GruStep(RecurrentStepSpec spec, Tensor xt, Tensor previous, Tensor w, Tensor r, Tensor? allBiases)
    {
        long n = spec.HiddenSize, width = 3 * n;
        // H is read two or three times below. Reading it through one view makes autograd add those reads' terms together
        // first and pass their sum on as one term, beside the terms of H's other consumers (the all-steps output Y): the
        // order in which Z-IL's local product, which holds the whole step, sends them. Without it, each read's term is
        // added to H's gradient on its own and the sum rounds differently (RecurrentGridExactnessTests).
        var h = previous.view(previous.Sizes());
        var fromInput = Affine(xt, w, allBiases?.narrow(0, 0, width)).split(n, 1);
        var bias = allBiases?.narrow(0, width, width);
        var fromState = (spec.LinearBeforeReset ? Affine(h, r, bias) : Affine(h, r.narrow(0, 0, 2 * n), bias?.narrow(0, 0, 2 * n)))
            .split(n, 1);
        var update = Gate(spec, 0, fromInput[0].Plus(fromState[0]));
        var reset = Gate(spec, 0, fromInput[1].Plus(fromState[1]));
        var resetProduct = spec.LinearBeforeReset ? fromState[2] : reset * h;
        var candidate = spec.LinearBeforeReset
            ? Gate(spec, 1, fromInput[2].Plus(reset * resetProduct))
            : Gate(spec, 1, fromInput[2].Plus(Affine(resetProduct, r.narrow(0, 2 * n, n), bias?.narrow(0, 2 * n, n))));
        return new Gru(candidate.lerp(h, update), update, reset, candidate, resetProduct);
    }

    /// <summary>
    /// i = f(.. + Pi * C), f = f(.. + Pf * C) (or 1 - i with input_forget), c~ = g(..), C_t = f * C + i * c~,
    /// o = f(.. + Po * C_t), H_t = o * h(C_t). The state is [H_t, C_t].
    /// </summary>
    public static Lstm LstmStep(RecurrentStepSpec spec, Tensor gates, Tensor c, Tensor? peephole)
    {
        long n = spec.HiddenSize;
        Tensor Peep(Tensor preActivation, int index, Tensor cell) =>
            peephole is null ? preActivation : preActivation.Plus(peephole.narrow(0, index * n, n) * cell);
        var split = gates.split(n, 1); // i, o, f, c
        var input = Gate(spec, 0, Peep(split[0], 0, c));
        var forget = spec.InputForget ? input.SubtractedFrom(1) : Gate(spec, 0, Peep(split[2], 2, c));
        var candidate = Gate(spec, 1, split[3]);
        var cell = (forget * c).Plus(input * candidate);
        var output = Gate(spec, 0, Peep(split[1], 1, cell));
        var cellActivation = RecurrentActivations.Apply(spec.Activations[2], cell);
        return new Lstm(cat([output * cellActivation, cell], 1), input, forget, candidate, output, cellActivation);
    }

    /// <summary>
    /// An LSTM's state [H, C] as its two halves: split in one operation, whose backward is one concatenation, where two
    /// narrows would each fill a zero tensor of the state's size for autograd to add.
    /// </summary>
    public static (Tensor H, Tensor C) LstmHalves(RecurrentStepSpec spec, Tensor state) =>
        state.split(spec.HiddenSize, 1) is [var h, var c] ? (h, c) : throw new KernelException("an LSTM state splits in two halves");
}
