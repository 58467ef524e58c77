using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using static TorchSharp.torch;
using static ZilOnnx.Converter.Ops.RecurrentSlots;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// The RNN step's written-out local products (<see cref="RnnStepClosedForm"/>) against autograd through the same
/// kernel's forward pass. They must be equal to the last bit, in float64 and float32: Z-IL takes them in place of
/// autograd's, and its updates are held to backprop's, which autograd computes.
/// </summary>
public sealed class RnnStepClosedFormTests
{
    private static readonly RecurrentStepKernel Kernel = new();
    private static readonly IClosedForm ClosedForm = new RnnStepClosedForm();

    /// <summary>activation, batch, input size, hidden size, layout, directions, first step, bias, X free, precision.</summary>
    public static IEnumerable<object[]> Cases()
    {
        (long, long, long)[] shapes = [(64, 28, 128), (1, 5, 3), (7, 1, 1), (9, 17, 40)];
        (int Layout, int Directions, bool First, bool Bias, bool XFree)[] variants =
            [(0, 1, false, true, false), (1, 2, false, true, true), (0, 2, true, false, true), (1, 1, true, true, false)];
        foreach (var precision in new[] { Precision.Float64, Precision.Float32 })
            foreach (string activation in new[] { "Tanh", "Relu" })
                foreach (var (batch, input, hidden) in shapes)
                    foreach (var v in variants)
                        yield return [activation, batch, input, hidden, v.Layout, v.Directions, v.First, v.Bias, v.XFree, precision];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Closed_form_products_equal_autograd_bitwise(string activation, long batch, long input, long hidden, int layout,
        int directions, bool firstStep, bool withBias, bool xFree, Precision precision)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var dtype = precision.ToScalarType();
        const long steps = 4;
        var spec = Step(activation, hidden, direction: directions - 1, time: firstStep ? 0 : 2, layout);
        var inputs = new Tensor?[Count];
        inputs[X] = randn(layout == 0 ? [steps, batch, input] : [batch, steps, input], dtype: dtype);
        if (!firstStep) inputs[PreviousState] = randn(batch, hidden, dtype: dtype);
        inputs[W] = randn(directions, hidden, input, dtype: dtype) * 0.4;
        inputs[R] = randn(directions, hidden, hidden, dtype: dtype) * 0.4;
        if (withBias) inputs[B] = randn(directions, 2 * hidden, dtype: dtype) * 0.4;
        var wanted = inputs.Select((t, slot) => t is not null && (slot != X || xFree)).ToArray();
        ClosedFormCheck.AssertBitwiseAutograd(Kernel, spec, inputs, wanted);
    }

    [Fact]
    public void Configurations_outside_the_closed_form_stay_with_autograd()
    {
        using var scope = NewDisposeScope();
        var inputs = new Tensor?[Count];
        inputs[X] = zeros(3, 2, 4);
        inputs[W] = zeros(1, 5, 4);
        inputs[R] = zeros(1, 5, 5);
        var wanted = new bool[Count];
        wanted[W] = wanted[R] = true;
        Assert.True(ClosedForm.Covers(Step("Tanh", 5), ClosedFormCheck.Shapes(inputs), wanted));

        Assert.False(ClosedForm.Covers(Step("Sigmoid", 5), ClosedFormCheck.Shapes(inputs), wanted));
        Assert.False(ClosedForm.Covers(Step("Tanh", 5) with { Clip = 3.0 }, ClosedFormCheck.Shapes(inputs), wanted));
        Assert.False(ClosedForm.Covers(Step("Tanh", 5) with { Cell = RecurrentCell.Gru }, ClosedFormCheck.Shapes(inputs), wanted));
        Assert.False(ClosedForm.Covers(Step("Tanh", 5) with { Cell = RecurrentCell.Lstm }, ClosedFormCheck.Shapes(inputs), wanted));

        var withLengths = (Tensor?[])inputs.Clone();
        withLengths[SequenceLengths] = tensor(new long[] { 3, 2 });
        Assert.False(ClosedForm.Covers(Step("Tanh", 5), ClosedFormCheck.Shapes(withLengths), wanted));

        // A trainable initial state takes a product the closed form does not write.
        var withInitial = (Tensor?[])inputs.Clone();
        withInitial[InitialH] = zeros(1, 2, 5);
        var initialWanted = (bool[])wanted.Clone();
        initialWanted[InitialH] = true;
        Assert.False(ClosedForm.Covers(Step("Tanh", 5), ClosedFormCheck.Shapes(withInitial), initialWanted));
    }

    private static RecurrentStepSpec Step(string activation, long hidden, int direction = 0, long time = 0, int layout = 0) =>
        new(RecurrentCell.Rnn, hidden, direction, time, layout, [new RecurrentActivation(activation, 0, 0)], Clip: null,
            InputForget: false, LinearBeforeReset: false);
}
