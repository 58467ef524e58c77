using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using static TorchSharp.torch;
using static ZilOnnx.Converter.Ops.RecurrentSlots;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// The recurrent steps' written-out local products (<see cref="RnnStepClosedForm"/>, <see cref="GruStepClosedForm"/>,
/// <see cref="LstmStepClosedForm"/>, the last two also from the gates their forward pass keeps) against autograd through
/// the same kernel's forward pass. They must be equal to the last bit, in float64 and float32: Z-IL takes them in place of
/// autograd's, and its updates are held to backprop's, which autograd computes.
/// </summary>
public sealed class RecurrentStepClosedFormTests
{
    private static readonly RecurrentStepKernel Kernel = new();

    /// <summary>
    /// cell, variant (an RNN's activation; a GRU with linear_before_reset or without), batch, input size, hidden size,
    /// layout, directions, first step, bias, X free, precision.
    /// </summary>
    public static IEnumerable<object[]> Cases()
    {
        (RecurrentCell, string)[] cells =
            [(RecurrentCell.Rnn, "Tanh"), (RecurrentCell.Rnn, "Relu"), (RecurrentCell.Gru, LinearBeforeReset), (RecurrentCell.Gru, ""),
             (RecurrentCell.Lstm, "")];
        (long, long, long)[] shapes = [(64, 28, 128), (1, 5, 3), (7, 1, 1), (9, 17, 40)];
        (int Layout, int Directions, bool First, bool Bias, bool XFree)[] variants =
            [(0, 1, false, true, false), (1, 2, false, true, true), (0, 2, true, false, true), (1, 1, true, true, false)];
        foreach (var precision in new[] { Precision.Float64, Precision.Float32 })
            foreach (var (cell, variant) in cells)
                foreach (var (batch, input, hidden) in shapes)
                    foreach (var v in variants)
                        yield return [cell, variant, batch, input, hidden, v.Layout, v.Directions, v.First, v.Bias, v.XFree, precision];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Closed_form_products_equal_autograd_bitwise(RecurrentCell cell, string variant, long batch, long input, long hidden,
        int layout, int directions, bool firstStep, bool withBias, bool xFree, Precision precision)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var dtype = precision.ToScalarType();
        const long steps = 4;
        var spec = Step(cell, variant, hidden, direction: directions - 1, time: firstStep ? 0 : 2, layout);
        long width = spec.Gates * hidden;
        var inputs = new Tensor?[Count];
        inputs[X] = randn(layout == 0 ? [steps, batch, input] : [batch, steps, input], dtype: dtype);
        if (!firstStep) inputs[PreviousState] = randn(batch, spec.StateWidth, dtype: dtype);
        inputs[W] = randn(directions, width, input, dtype: dtype) * 0.4;
        inputs[R] = randn(directions, width, hidden, dtype: dtype) * 0.4;
        if (withBias) inputs[B] = randn(directions, 2 * width, dtype: dtype) * 0.4;
        var wanted = inputs.Select((t, slot) => t is not null && (slot != X || xFree)).ToArray();
        ClosedFormCheck.AssertBitwiseAutograd(Kernel, spec, inputs, wanted);
    }

    [Theory]
    [InlineData(RecurrentCell.Rnn)]
    [InlineData(RecurrentCell.Gru)]
    [InlineData(RecurrentCell.Lstm)]
    public void Configurations_outside_the_closed_forms_stay_with_autograd(RecurrentCell cell)
    {
        using var scope = NewDisposeScope();
        var plain = Step(cell, cell == RecurrentCell.Rnn ? "Tanh" : "", 5);
        var closedForm = ClosedForms.For(plain)!;
        var inputs = new Tensor?[Count];
        inputs[X] = zeros(3, 2, 4);
        inputs[W] = zeros(1, plain.Gates * 5, 4);
        inputs[R] = zeros(1, plain.Gates * 5, 5);
        var wanted = new bool[Count];
        wanted[W] = wanted[R] = true;
        var shapes = ClosedFormCheck.Shapes(inputs);
        Assert.True(closedForm.Covers(plain, shapes, wanted));

        Assert.False(closedForm.Covers(plain with { Clip = 3.0 }, shapes, wanted));
        Assert.False(closedForm.Covers(plain with { Activations = [.. plain.Activations.Select(_ => Activation("Softsign"))] }, shapes,
            wanted));
        if (cell == RecurrentCell.Lstm)
        {
            Assert.False(closedForm.Covers(plain with { InputForget = true }, shapes, wanted));
            var withPeepholes = (Tensor?[])inputs.Clone();
            withPeepholes[P] = zeros(1, 15);
            Assert.False(closedForm.Covers(plain, ClosedFormCheck.Shapes(withPeepholes), wanted));
        }

        var withLengths = (Tensor?[])inputs.Clone();
        withLengths[SequenceLengths] = tensor(new long[] { 3, 2 });
        Assert.False(closedForm.Covers(plain, ClosedFormCheck.Shapes(withLengths), wanted));

        // A trainable initial state takes a product the closed forms do not write.
        var withInitial = (Tensor?[])inputs.Clone();
        withInitial[InitialH] = zeros(1, 2, 5);
        var initialWanted = (bool[])wanted.Clone();
        initialWanted[InitialH] = true;
        Assert.False(closedForm.Covers(plain, ClosedFormCheck.Shapes(withInitial), initialWanted));
    }

    private static RecurrentActivation Activation(string name) => new(name, 0, 0);

    private const string LinearBeforeReset = "linear_before_reset";

    /// <summary>A step with default gates: an RNN with the activation <paramref name="variant"/> names, a GRU with
    /// linear_before_reset where it says so.</summary>
    private static RecurrentStepSpec Step(RecurrentCell cell, string variant, long hidden, int direction = 0, long time = 0,
        int layout = 0) =>
        new(cell, hidden, direction, time, layout, cell switch
        {
            RecurrentCell.Rnn => [Activation(variant)],
            RecurrentCell.Gru => [Activation("Sigmoid"), Activation("Tanh")],
            _ => [Activation("Sigmoid"), Activation("Tanh"), Activation("Tanh")],
        },
            Clip: null, InputForget: false, LinearBeforeReset: variant == LinearBeforeReset);
}
