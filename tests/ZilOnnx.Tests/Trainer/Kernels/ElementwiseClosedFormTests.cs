using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// The written-out products of the elementwise operators (<see cref="ArithmeticClosedForm"/>, <see cref="ActivationClosedForm"/>, <see cref="UnaryClosedForm"/>,
/// <see cref="ClipClosedForm"/>, <see cref="SoftmaxClosedForm"/>, <see cref="ReduceMeanClosedForm"/>,
/// <see cref="GlobalAveragePoolClosedForm"/>) against autograd through the same kernel: bit for
/// bit, and in the layout autograd's backward nodes hand the gradient on in backprop's graph, in float64 and float32, on random
/// shapes, broadcasts and layouts (column-major inputs among them).
/// </summary>
public sealed class ElementwiseClosedFormTests
{
    public static IEnumerable<object[]> Seeds() => ClosedFormCheck.SeedsInBothPrecisions(3);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Add_sub_mul_and_div_products_equal_autograd_under_every_broadcast(int seed, Precision precision)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed);
        long[] shape = Enumerable.Range(0, 3).Select(_ => (long)random.Next(2, 6)).ToArray();
        var a = ClosedFormCheck.Input(shape, precision, seed, transposed: random.Next(2) == 0);
        // The other operand: of A's shape (in another layout), a bias over the last axis, per channel, a scalar, and one
        // that A is broadcast to (A's gradient then sums over the batch).
        long[][] others = [shape, [shape[2]], [shape[1], 1], [], [1, shape[1], shape[2]]];
        foreach (long[] otherShape in others)
        {
            // Away from 0, so that Div's quotients stay small and its products meaningful.
            var b = ClosedFormCheck.Input(otherShape, precision, seed + 7, transposed: otherShape.Length == 3).abs().Plus(0.5);
            foreach (bool[] wanted in new[] { new[] { true, true }, new[] { true, false }, new[] { false, true } })
            {
                ClosedFormCheck.AssertEqualsAutograd(new AddKernel(), AddSpec.Instance, [a, b], wanted);
                foreach (var op in new[] { Arithmetic.Sub, Arithmetic.Mul, Arithmetic.Div })
                    ClosedFormCheck.AssertEqualsAutograd(new ArithmeticKernel(), new ArithmeticSpec(op, null), [a, b], wanted);
            }
        }
        var small = ClosedFormCheck.Input([shape[1], shape[2]], precision, seed + 3, transposed: true);
        ClosedFormCheck.AssertEqualsAutograd(new ArithmeticKernel(), new ArithmeticSpec(Arithmetic.Mul, null), [small, a], [true, true]);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Activation_softmax_and_mean_products_equal_autograd(int seed, Precision precision)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed);
        long[] shape = Enumerable.Range(0, 4).Select(_ => (long)random.Next(2, 6)).ToArray();
        var x = ClosedFormCheck.Input(shape, precision, seed, transposed: random.Next(2) == 0);
        // Exact zeros too, where relu's product is cut (autograd: output <= 0).
        x = x.masked_fill(x.abs().lt(0.3), 0);
        foreach (var kind in Enum.GetValues<Activation>()) ClosedFormCheck.AssertEqualsAutograd(new ActivationKernel(), new ActivationSpec(kind), [x], [true]);
        foreach (var function in new[] { UnaryFunction.Erf, UnaryFunction.Gelu })
            ClosedFormCheck.AssertEqualsAutograd(new UnaryKernel(), new UnarySpec(function, 0, 0), [x], [true]);
        foreach (bool log in new[] { false, true })
            ClosedFormCheck.AssertEqualsAutograd(new SoftmaxKernel(), new SoftmaxSpec(log, random.Next(-4, 4), CoerceTo2D: false), [x], [true]);
        ClosedFormCheck.AssertEqualsAutograd(new ReduceKernel(), new ReduceSpec(ReduceKind.Mean, [1], KeepDims: false, NoopWithEmptyAxes: false), [x], [true]);
        ClosedFormCheck.AssertEqualsAutograd(new ReduceKernel(), new ReduceSpec(ReduceKind.Mean, [-1, 0], KeepDims: true, NoopWithEmptyAxes: false), [x], [true]);
        ClosedFormCheck.AssertEqualsAutograd(new ReduceKernel(), new ReduceSpec(ReduceKind.Mean, null, KeepDims: false, NoopWithEmptyAxes: false), [x], [true]);
        // GlobalAveragePool over one, two and three spatial axes.
        foreach (var input in new[] { x, x.flatten(2), x.unsqueeze(-1).expand(-1, -1, -1, -1, 2).contiguous() })
            ClosedFormCheck.AssertEqualsAutograd(new GlobalAveragePoolKernel(), GlobalAveragePoolSpec.Instance, [input], [true]);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Clip_products_equal_autograd_with_either_bound_both_and_crossed_ones(int seed, Precision precision)
    {
        using var scope = NewDisposeScope();
        var x = ClosedFormCheck.Input([3, 4, 5], precision, seed, transposed: seed % 2 == 0).Times(4);
        // Values on the bounds (clamp passes the error there, ReLU6 none), and NaN.
        x = x.masked_fill(x.abs().lt(0.5), 0).masked_fill(x.gt(3.5), 6).masked_fill(x.lt(-3.8), double.NaN);
        foreach (var spec in new ClipSpec[]
                 {
                     new(0, 6), new(0, null), new(null, 6), new(-0.1, 0.7), new(1, -1), new(-1e20, 1e20), new(0, 6.5),
                 })
            ClosedFormCheck.AssertBitwiseAutograd(new ClipKernel(), spec, [x], [true]);
    }

    /// <summary>
    /// Clip's values are clamp's, NaN included. Its gradient is clamp's, 1 from min to max with the bounds, except for ReLU6
    /// (0..6), whose gradient is PyTorch's ReLU6's (hardtanh's): 0 on the bounds. Crossed bounds pass none.
    /// </summary>
    [Theory]
    [InlineData(0.0, 6.0, false)]
    [InlineData(0.0, 6.5, true)]
    [InlineData(0.0, null, true)]
    [InlineData(null, 6.0, true)]
    [InlineData(1.0, -1.0, true)]
    public void Clip_has_clamps_values_and_passes_the_gradient_on_its_bounds_except_as_relu6(double? min, double? max, bool boundsPass)
    {
        using var scope = NewDisposeScope();
        double[] values = [-1.0, 0.0, 0.5, 6.0, 6.5, 7.0];
        var x = cat([tensor(values), tensor(new[] { double.NaN })]).requires_grad_(true);
        var clipped = new ClipKernel().Forward(new ClipSpec(min, max), [x]);
        Assert.True(clipped.nan_to_num(-99).Equals(x.detach().Clamp(min, max).nan_to_num(-99)));
        var gradient = autograd.grad([clipped], [x], [ones_like(clipped)])[0].data<double>().ToArray();
        double lo = min ?? double.NegativeInfinity, hi = max ?? double.PositiveInfinity;
        double[] expected = [.. values.Select(v => (boundsPass ? v >= lo && v <= hi : v > lo && v < hi) ? 1.0 : 0.0)];
        Assert.Equal(expected, gradient[..values.Length]);
    }

    /// <summary>What stays on a tape: the opset-6 broadcast, Softmax over flattened axes, the other reductions, the no-op mean.</summary>
    [Fact]
    public void Configurations_without_a_closed_form_are_not_covered()
    {
        long[][] shapes = [[2, 3], [3]];
        var legacy = new LegacyBroadcast(true, null);
        Assert.False(ClosedForms.For(new AddSpec(legacy))!.Covers(new AddSpec(legacy), shapes, [true, true]));
        Assert.False(ClosedForms.For(new ArithmeticSpec(Arithmetic.Mul, legacy))!.Covers(new ArithmeticSpec(Arithmetic.Mul, legacy), shapes, [true, true]));
        Assert.False(ClosedForms.For(new SoftmaxSpec(false, 1, true))!.Covers(new SoftmaxSpec(false, 1, true), [[2, 3]], [true]));
        Assert.False(ClosedForms.For(new ReduceSpec(ReduceKind.Sum, [1], false, false))!
            .Covers(new ReduceSpec(ReduceKind.Sum, [1], false, false), [[2, 3]], [true]));
        Assert.False(ClosedForms.For(new ReduceSpec(ReduceKind.Mean, null, false, true))!
            .Covers(new ReduceSpec(ReduceKind.Mean, null, false, true), [[2, 3]], [true]));
        Assert.False(ClosedForms.For(new UnarySpec(UnaryFunction.Exp, 0, 0))!.Covers(new UnarySpec(UnaryFunction.Exp, 0, 0), [[2, 3]], [true]));
        Assert.False(ClosedForms.For(new ClipSpec(null, null))!.Covers(new ClipSpec(null, null), [[2, 3]], [true]));
        var infinite = new ClipSpec(0, double.PositiveInfinity);
        Assert.False(ClosedForms.For(infinite)!.Covers(infinite, [[2, 3]], [true]));
    }
}
