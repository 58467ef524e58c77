using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// What one recurrent time step reads, taken from the vertex's inputs as <see cref="RecurrentStepKernel"/>'s forward
/// pass and its closed-form gradient both need it: the sequence X and its time slice, the previous state (or the
/// initial one), and W, R and B of the step's direction.
/// </summary>
internal readonly record struct StepOperands(Tensor X, Tensor Xt, Tensor Previous, Tensor W, Tensor R, Tensor? Bias)
{
    public static StepOperands Of(RecurrentStepSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, RecurrentSlots.X, "X");
        var xt = x.select(TimeDimension(spec), spec.Time);
        var w = OfDirection(spec, Required(inputs, RecurrentSlots.W, "W"));
        var r = OfDirection(spec, Required(inputs, RecurrentSlots.R, "R"));
        var bias = Input(inputs, RecurrentSlots.B) is { } b ? OfDirection(spec, b) : null;
        var previous = Input(inputs, RecurrentSlots.PreviousState) ?? InitialState(spec, inputs, xt.size(0), xt);
        return new StepOperands(x, xt, previous, w, r, bias);
    }

    /// <summary>The dimension of X that runs over time: 0 in layout 0 ([T, B, I]), 1 in layout 1 ([B, T, I]).</summary>
    public static int TimeDimension(RecurrentStepSpec spec) => spec.Layout == 0 ? 0 : 1;

    /// <summary>
    /// One direction's slice of a [num_directions, ...] input. With one direction it is a view: the gradient flows back
    /// through a reshape, where a select would allocate and zero the whole tensor at every step.
    /// </summary>
    public static Tensor OfDirection(RecurrentStepSpec spec, Tensor perDirection) =>
        perDirection.size(0) == 1 ? perDirection.squeeze(0) : perDirection.select(0, spec.Direction);

    private static Tensor InitialState(RecurrentStepSpec spec, IReadOnlyList<Tensor?> inputs, long batch, Tensor like)
    {
        Tensor Part(int slot) => Input(inputs, slot) is { } initial
            ? initial.select(spec.Layout == 0 ? 0 : 1, spec.Direction)
            : zeros(batch, spec.HiddenSize, like.dtype, like.device);
        return spec.Cell == RecurrentCell.Lstm
            ? cat([Part(RecurrentSlots.InitialH), Part(RecurrentSlots.InitialC)], 1)
            : Part(RecurrentSlots.InitialH);
    }

    private static Tensor? Input(IReadOnlyList<Tensor?> inputs, int slot) => slot < inputs.Count ? inputs[slot] : null;

    private static Tensor Required(IReadOnlyList<Tensor?> inputs, int slot, string name) =>
        Input(inputs, slot) ?? throw new KernelException($"input {slot} ({name}) is required");
}
