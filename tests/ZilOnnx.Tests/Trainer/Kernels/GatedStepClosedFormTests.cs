using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using static TorchSharp.torch;
using static ZilOnnx.Converter.Ops.RecurrentSlots;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// The GRU and LSTM steps' written-out local products (<see cref="GruStepClosedForm"/>, <see cref="LstmStepClosedForm"/>)
/// against autograd through the same kernel's forward pass, equal to the last bit in float64 and float32: Z-IL takes them
/// in place of autograd's, and its updates are held to backprop's.
/// </summary>
public sealed class GatedStepClosedFormTests
{
    private static readonly RecurrentStepKernel Kernel = new();

    /// <summary>cell, batch, input size, hidden size, layout, directions, first step, bias, X free, precision.</summary>
    public static IEnumerable<object[]> Cases()
    {
        (long, long, long)[] shapes = [(8, 64, 128), (1, 5, 3), (7, 1, 1), (9, 17, 40)];
        (int Layout, int Directions, bool First, bool Bias, bool XFree)[] variants =
            [(0, 1, false, true, false), (1, 2, false, true, true), (0, 2, true, false, true), (1, 1, true, true, false)];
        foreach (var precision in new[] { Precision.Float64, Precision.Float32 })
            foreach (var cell in new[] { RecurrentCell.Gru, RecurrentCell.Lstm })
                foreach (var (batch, input, hidden) in shapes)
                    foreach (var v in variants)
                        yield return [cell, batch, input, hidden, v.Layout, v.Directions, v.First, v.Bias, v.XFree, precision];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Closed_form_products_equal_autograd_bitwise(RecurrentCell cell, long batch, long input, long hidden, int layout,
        int directions, bool firstStep, bool withBias, bool xFree, Precision precision)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var dtype = precision.ToScalarType();
        const long steps = 4;
        var spec = Step(cell, hidden, direction: directions - 1, time: firstStep ? 0 : 2, layout);
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

    [Fact]
    public void Configurations_outside_the_closed_forms_stay_with_autograd()
    {
        using var scope = NewDisposeScope();
        foreach (var cell in new[] { RecurrentCell.Gru, RecurrentCell.Lstm })
        {
            var plain = Step(cell, 5);
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
            Assert.False(closedForm.Covers(plain with { Activations = [.. plain.Activations.Select(_ => Activation("Relu"))] }, shapes,
                wanted));
            if (cell == RecurrentCell.Gru) Assert.False(closedForm.Covers(plain with { LinearBeforeReset = false }, shapes, wanted));
            else
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
    }

    private static RecurrentActivation Activation(string name) => new(name, 0, 0);

    // PyTorch's exports: a GRU with linear_before_reset, default activations.
    private static RecurrentStepSpec Step(RecurrentCell cell, long hidden, int direction = 0, long time = 0, int layout = 0) =>
        new(cell, hidden, direction, time, layout,
            cell == RecurrentCell.Gru ? [Activation("Sigmoid"), Activation("Tanh")] : [Activation("Sigmoid"), Activation("Tanh"), Activation("Tanh")],
            Clip: null, InputForget: false, LinearBeforeReset: cell == RecurrentCell.Gru);
}
