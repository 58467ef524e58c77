using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// One time step of an ONNX RNN, LSTM or GRU, with the equations of the ONNX specification (gate order
/// LSTM i, o, f, c; GRU z, r, h; B = [Wb, Rb]; P = [Pi, Po, Pf]). `clip` bounds every gate's input. Batch
/// entries whose sequence has ended keep their previous state.
/// </summary>
public sealed class RecurrentStepKernel : Kernel<RecurrentStepSpec>
{
    protected override Tensor Forward(RecurrentStepSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var (_, xt, previous, w, r, bias) = StepOperands.Of(spec, inputs);
        long batch = xt.shape[0], hidden = spec.HiddenSize;
        // An LSTM's state is [H, C]: split in one operation, whose backward is one concatenation, where two narrows
        // would each fill a zero tensor of the state's size for autograd to add.
        var (hPrevious, cPrevious) = spec.Cell == RecurrentCell.Lstm && previous.split(hidden, 1) is [var h, var c] ? (h, c) : (previous,
            null);
        Tensor state = spec.Cell switch
        {
            RecurrentCell.Rnn => Gate(spec, 0, SummedPreActivation(spec, xt, hPrevious, w, r, bias)),
            RecurrentCell.Gru => GruStep(spec, xt, hPrevious, w, r, bias),
            _ => LstmStep(spec, SummedPreActivation(spec, xt, hPrevious, w, r, bias), cPrevious!, inputs),
        };
        if (Optional(inputs, RecurrentSlots.SequenceLengths) is { } lengths)
        {
            var running = lengths.GreaterThan(spec.Time).reshape(batch, 1);
            state = where(running, state, previous);
        }
        return state;
    }

    // X_t W^T + H_{t-1} R^T + (Wb + Rb): every gate of an RNN or LSTM, two matrix products accumulated onto the summed
    // biases, so a step costs two addmm and no separate additions.
    private static Tensor SummedPreActivation(RecurrentStepSpec spec, Tensor xt, Tensor h, Tensor w, Tensor r, Tensor? bias)
    {
        var fromInput = Affine(xt, w, bias?.view(2, spec.Gates * spec.HiddenSize).sum(dim: 0));
        return fromInput.addmm(h, r.t(), 1, 1);
    }

    private static Tensor Gate(RecurrentStepSpec spec, int activation, Tensor preActivation) =>
        RecurrentActivations.Apply(spec.Activations[activation], spec.Clip is { } c ? preActivation.Clamp(-c, c) : preActivation);

    // x W^T + b, the bias accumulated inside the product.
    private static Tensor Affine(Tensor x, Tensor w, Tensor? bias) => bias is null ? x.mm(w.t()) : bias.addmm(x, w.t(), 1, 1);

    // z = f(.. z), r = f(.. r); h~ = g(X W_h^T + (r * H) R_h^T + Rb_h + Wb_h), or with linear_before_reset
    // g(X W_h^T + r * (H R_h^T + Rb_h) + Wb_h); H_t = (1 - z) * h~ + z * H, computed as the lerp h~ + z * (H - h~).
    // With linear_before_reset (how PyTorch's GRU exports) all three gates take H R^T + Rb: one product, split.
    private static Tensor GruStep(RecurrentStepSpec spec, Tensor xt, Tensor h, Tensor w, Tensor r, Tensor? allBiases)
    {
        long n = spec.HiddenSize, width = 3 * n;
        var fromInput = Affine(xt, w, allBiases?.narrow(0, 0, width)).split(n, 1);
        var bias = allBiases?.narrow(0, width, width);
        var fromState = (spec.LinearBeforeReset ? Affine(h, r, bias) : Affine(h, r.narrow(0, 0, 2 * n), bias?.narrow(0, 0, 2 * n))).split(n,
            1);
        var update = Gate(spec, 0, fromInput[0].Plus(fromState[0]));
        var reset = Gate(spec, 0, fromInput[1].Plus(fromState[1]));
        var candidate = spec.LinearBeforeReset
            ? Gate(spec, 1, fromInput[2].Plus(reset * fromState[2]))
            : Gate(spec, 1, fromInput[2].Plus(Affine(reset * h, r.narrow(0, 2 * n, n), bias?.narrow(0, 2 * n, n))));
        return candidate.lerp(h, update);
    }

    // i = f(.. + Pi * C), f = f(.. + Pf * C) (or 1 - i with input_forget), c~ = g(..), C_t = f * C + i * c~,
    // o = f(.. + Po * C_t), H_t = o * h(C_t). The state is [H_t, C_t].
    private static Tensor LstmStep(RecurrentStepSpec spec, Tensor gates, Tensor c, IReadOnlyList<Tensor?> inputs)
    {
        long n = spec.HiddenSize;
        var peephole = Optional(inputs, RecurrentSlots.P) is { } p ? StepOperands.OfDirection(spec, p) : null;
        Tensor Peep(Tensor preActivation, int index, Tensor cell) =>
            peephole is null ? preActivation : preActivation.Plus(peephole.narrow(0, index * n, n) * cell);
        var split = gates.split(n, 1); // i, o, f, c
        var input = Gate(spec, 0, Peep(split[0], 0, c));
        var forget = spec.InputForget ? input.SubtractedFrom(1) : Gate(spec, 0, Peep(split[2], 2, c));
        var candidate = Gate(spec, 1, split[3]);
        var cell = (forget * c).Plus(input * candidate);
        var output = Gate(spec, 0, Peep(split[1], 1, cell));
        return cat([output * RecurrentActivations.Apply(spec.Activations[2], cell), cell], 1);
    }
}
