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
        var x = Required(inputs, RecurrentSlots.X, "X");
        var xt = x.select(spec.Layout == 0 ? 0 : 1, spec.Time);
        long batch = xt.shape[0], hidden = spec.HiddenSize;
        var previous = inputs[RecurrentSlots.PreviousState] ?? InitialState(spec, inputs, batch, xt);
        var hPrevious = previous.narrow(1, 0, hidden);

        var w = Required(inputs, RecurrentSlots.W, "W").select(0, spec.Direction);
        var r = Required(inputs, RecurrentSlots.R, "R").select(0, spec.Direction);
        long width = spec.Gates * hidden;
        var bias = Optional(inputs, RecurrentSlots.B)?.select(0, spec.Direction);
        var fromInput = xt.mm(w.t());
        if (bias is not null) fromInput = fromInput.Plus(bias.narrow(0, 0, width));
        var recurrentBias = bias?.narrow(0, width, width);

        Tensor state = spec.Cell switch
        {
            RecurrentCell.Rnn => RnnStep(spec, fromInput, hPrevious, r, recurrentBias),
            RecurrentCell.Gru => GruStep(spec, fromInput, hPrevious, r, recurrentBias),
            _ => LstmStep(spec, fromInput, hPrevious, previous.narrow(1, hidden, hidden), r, recurrentBias, inputs),
        };
        if (Optional(inputs, RecurrentSlots.SequenceLengths) is { } lengths)
        {
            var running = lengths.GreaterThan(spec.Time).reshape(batch, 1);
            state = where(running, state, previous);
        }
        return state;
    }

    private static Tensor InitialState(RecurrentStepSpec spec, IReadOnlyList<Tensor?> inputs, long batch, Tensor like)
    {
        Tensor Part(int slot) => Optional(inputs, slot) is { } initial
            ? initial.select(spec.Layout == 0 ? 0 : 1, spec.Direction)
            : zeros(batch, spec.HiddenSize, like.dtype, like.device);
        return spec.Cell == RecurrentCell.Lstm
            ? cat([Part(RecurrentSlots.InitialH), Part(RecurrentSlots.InitialC)], 1)
            : Part(RecurrentSlots.InitialH);
    }

    private static Tensor Gate(RecurrentStepSpec spec, int activation, Tensor preActivation) =>
        RecurrentActivations.Apply(spec.Activations[activation], spec.Clip is { } c ? preActivation.Clamp(-c, c) : preActivation);

    private static Tensor Recurrent(Tensor h, Tensor r, Tensor? bias) => bias is null ? h.mm(r.t()) : h.mm(r.t()).Plus(bias);

    // H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb)
    private static Tensor RnnStep(RecurrentStepSpec spec, Tensor fromInput, Tensor h, Tensor r, Tensor? bias) =>
        Gate(spec, 0, fromInput.Plus(Recurrent(h, r, bias)));

    // z = f(.. z), r = f(.. r); h~ = g(X W_h^T + (r * H) R_h^T + Rb_h + Wb_h), or with linear_before_reset
    // g(X W_h^T + r * (H R_h^T + Rb_h) + Wb_h); H_t = (1 - z) * h~ + z * H.
    private static Tensor GruStep(RecurrentStepSpec spec, Tensor fromInput, Tensor h, Tensor r, Tensor? bias)
    {
        long n = spec.HiddenSize;
        var zr = fromInput.narrow(1, 0, 2 * n).Plus(Recurrent(h, r.narrow(0, 0, 2 * n), bias?.narrow(0, 0, 2 * n)));
        var update = Gate(spec, 0, zr.narrow(1, 0, n));
        var reset = Gate(spec, 0, zr.narrow(1, n, n));
        var rh = r.narrow(0, 2 * n, n);
        var rbh = bias?.narrow(0, 2 * n, n);
        var candidate = spec.LinearBeforeReset
            ? Gate(spec, 1, fromInput.narrow(1, 2 * n, n).Plus(reset * Recurrent(h, rh, rbh)))
            : Gate(spec, 1, fromInput.narrow(1, 2 * n, n).Plus(Recurrent(reset * h, rh, rbh)));
        return (update.SubtractedFrom(1) * candidate).Plus(update * h);
    }

    // i = f(.. + Pi * C), f = f(.. + Pf * C) (or 1 - i with input_forget), c~ = g(..), C_t = f * C + i * c~,
    // o = f(.. + Po * C_t), H_t = o * h(C_t). The state is [H_t, C_t].
    private static Tensor LstmStep(RecurrentStepSpec spec, Tensor fromInput, Tensor h, Tensor c, Tensor r, Tensor? bias, IReadOnlyList<Tensor?> inputs)
    {
        long n = spec.HiddenSize;
        var gates = fromInput.Plus(Recurrent(h, r, bias));
        var peephole = Optional(inputs, RecurrentSlots.P)?.select(0, spec.Direction);
        Tensor Peep(int index, Tensor cell) => peephole is null ? zeros_like(cell) : peephole.narrow(0, index * n, n) * cell;
        var input = Gate(spec, 0, gates.narrow(1, 0, n).Plus(Peep(0, c)));
        var forget = spec.InputForget ? input.SubtractedFrom(1) : Gate(spec, 0, gates.narrow(1, 2 * n, n).Plus(Peep(2, c)));
        var candidate = Gate(spec, 1, gates.narrow(1, 3 * n, n));
        var cell = (forget * c).Plus(input * candidate);
        var output = Gate(spec, 0, gates.narrow(1, n, n).Plus(Peep(1, cell)));
        return cat([output * RecurrentActivations.Apply(spec.Activations[2], cell), cell], 1);
    }
}
