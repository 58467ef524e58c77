using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

public enum RecurrentCell { Rnn, Lstm, Gru }

/// <summary>An activation of a recurrent cell with the alpha/beta it takes (those it does not use are ignored).</summary>
public sealed record RecurrentActivation(string Name, double Alpha, double Beta);

/// <summary>The operands of a <see cref="RecurrentStepSpec"/> vertex, by position.</summary>
public static class RecurrentSlots
{
    public const int X = 0, PreviousState = 1, W = 2, R = 3, B = 4, SequenceLengths = 5, InitialH = 6, InitialC = 7, P = 8;
    public const int Count = 9;
}

/// <summary>
/// One time step of one direction of an ONNX RNN/LSTM/GRU node: the prediction function of the vertex that
/// holds the recurrent state after step <see cref="Time"/> ([batch, hidden], or [batch, 2 * hidden] for an LSTM:
/// h then c, so that the unrolled graph is a chain; docs/algorithms.md, recurrent networks). The gates stay inside the step. It reads
/// the whole sequence input X and takes its own time slice; the previous step's state (or the initial state
/// for the first step); the shared W, R, B, P sliced to its direction.
/// </summary>
public sealed record RecurrentStepSpec(
    RecurrentCell Cell, long HiddenSize, int Direction, long Time, int Layout,
    IReadOnlyList<RecurrentActivation> Activations, double? Clip, bool InputForget, bool LinearBeforeReset) : OpSpec
{
    public override string OpType => Cell switch { RecurrentCell.Lstm => "LSTM step", RecurrentCell.Gru => "GRU step", _ => "RNN step" };

    public int Gates => Cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };

    public long StateWidth => Cell == RecurrentCell.Lstm ? 2 * HiddenSize : HiddenSize;

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, RecurrentSlots.X, "X");
        if (x.Length != 3) throw new ShapeException($"{OpType}: X must be 3-D, got {ShapeMath.Format(x)}");
        long batch = Layout == 0 ? x[1] : x[0], inputSize = x[2];
        long gatesWidth = Gates * HiddenSize;
        Expect(inputs, RecurrentSlots.W, "W", gatesWidth, inputSize);
        Expect(inputs, RecurrentSlots.R, "R", gatesWidth, HiddenSize);
        Expect(inputs, RecurrentSlots.B, "B", 2 * gatesWidth);
        Expect(inputs, RecurrentSlots.P, "P", 3 * HiddenSize);
        foreach (int slot in new[] { RecurrentSlots.InitialH, RecurrentSlots.InitialC })
            if (inputs.Count > slot && inputs[slot] is { } initial && (initial.Length != 3 || initial[2] != HiddenSize
                || initial[Layout == 0 ? 1 : 0] != batch))
                throw new ShapeException($"{OpType}: initial state {ShapeMath.Format(initial)} does not fit batch {batch}, hidden " +
                    $"{HiddenSize} (layout {Layout})");
        if (inputs.Count > RecurrentSlots.SequenceLengths && inputs[RecurrentSlots.SequenceLengths] is { } lengths
            && !lengths.SequenceEqual([batch]))
            throw new ShapeException($"{OpType}: sequence_lens {ShapeMath.Format(lengths)} must hold one length per batch entry ({batch})");
        return [batch, StateWidth];
    }

    private void Expect(IReadOnlyList<long[]?> inputs, int slot, string name, params long[] perDirection)
    {
        if (inputs.Count <= slot || inputs[slot] is not { } shape) return;
        if (shape.Length != perDirection.Length + 1 || shape[0] <= Direction || !shape[1..].SequenceEqual(perDirection))
            throw new ShapeException($"{OpType}: {name} {ShapeMath.Format(shape)} should be [num_directions, " +
                $"{string.Join(", ", perDirection)}]");
    }
}

/// <summary>
/// The sequence output Y of a recurrent node: the hidden part of every step's state, [T, D, B, H] (layout 0)
/// or [B, T, D, H] (layout 1), zero beyond each sequence's length. Operands: the step vertices direction by
/// direction in time order, then the optional sequence lengths.
/// </summary>
public sealed record RecurrentSequenceSpec(long HiddenSize, int Directions, long SequenceLength, int Layout) : OpSpec
{
    public override string OpType => "recurrent Y";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long batch = Input(inputs, 0, "step")[0];
        return Layout == 0 ? [SequenceLength, Directions, batch, HiddenSize] : [batch, SequenceLength, Directions, HiddenSize];
    }
}

/// <summary>
/// Y_h or Y_c of a recurrent node: the hidden (or cell) part of each direction's last state, [D, B, H]
/// (layout 0) or [B, D, H] (layout 1), zero for a sequence of length 0. Operands: each direction's last step
/// vertex, then the optional sequence lengths.
/// </summary>
public sealed record RecurrentFinalStateSpec(long HiddenSize, int Directions, int Layout, bool CellPart) : OpSpec
{
    public override string OpType => CellPart ? "recurrent Y_c" : "recurrent Y_h";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long batch = Input(inputs, 0, "step")[0];
        return Layout == 0 ? [Directions, batch, HiddenSize] : [batch, Directions, HiddenSize];
    }
}
