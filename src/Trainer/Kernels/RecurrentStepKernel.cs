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
        long batch = xt.size(0);
        Tensor state = spec.Cell switch
        {
            RecurrentCell.Rnn => RecurrentCells.Gate(spec, 0, RecurrentCells.SummedPreActivation(spec, xt, previous, w, r, bias)),
            RecurrentCell.Gru => RecurrentCells.GruStep(spec, xt, previous, w, r, bias).State,
            _ => LstmStep(spec, xt, previous, w, r, bias, inputs),
        };
        if (Optional(inputs, RecurrentSlots.SequenceLengths) is { } lengths)
        {
            var running = lengths.GreaterThan(spec.Time).reshape(batch, 1);
            state = where(running, state, previous);
        }
        return state;
    }

    private static Tensor LstmStep(RecurrentStepSpec spec, Tensor xt, Tensor previous, Tensor w, Tensor r, Tensor? bias,
        IReadOnlyList<Tensor?> inputs)
    {
        var (h, c) = RecurrentCells.LstmHalves(spec, previous);
        var peephole = Optional(inputs, RecurrentSlots.P) is { } p ? StepOperands.OfDirection(spec, p) : null;
        return RecurrentCells.LstmStep(spec, RecurrentCells.SummedPreActivation(spec, xt, h, w, r, bias), c, peephole).State;
    }
}
