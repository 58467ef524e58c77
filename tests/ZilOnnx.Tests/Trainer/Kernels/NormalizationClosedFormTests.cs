using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// The written-out products of LayerNormalization, BatchNormalization and Gather (constant indices or an
/// embedding lookup)
/// (<see cref="LayerNormalizationClosedForm"/>, <see cref="BatchNormalizationClosedForm"/>, <see cref="GatherClosedForm"/>)
/// against autograd through the same kernel: bit for bit and in autograd's layout, in float64 and float32, for every
/// subset of the inputs that take a product.
/// </summary>
public sealed class NormalizationClosedFormTests
{
    public static IEnumerable<object[]> Seeds() => ClosedFormCheck.SeedsInBothPrecisions(3);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Layer_normalization_products_equal_autograd(int seed, Precision precision)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed);
        long[] shape = Enumerable.Range(0, 3).Select(_ => (long)random.Next(2, 9)).ToArray();
        // The products are laid out as native_layer_norm_backward returns them, as in backprop's graph, where no leaf
        // restrides them: a transposed input (a Transformer's sequence-first activations) is where the two differ.
        foreach (bool transposed in new[] { false, true })
            foreach (long axis in new long[] { -1, 1 })
            {
                var x = ClosedFormCheck.Input(shape, precision, seed, transposed);
                long[] normalized = shape[(int)(axis < 0 ? axis + 3 : axis)..];
                var scale = ClosedFormCheck.Input(normalized, precision, seed + 1, false);
                var bias = ClosedFormCheck.Input(normalized, precision, seed + 2, false);
                var spec = new LayerNormalizationSpec(axis, 1e-5);
                foreach (bool[] wanted in Subsets(3))
                    ClosedFormCheck.AssertEqualsAutograd(new LayerNormalizationKernel(), spec, [x, scale, bias], wanted);
                ClosedFormCheck.AssertEqualsAutograd(new LayerNormalizationKernel(), spec, [x, scale], [true, true]);
            }
        // A Scale that broadcasts to the normalized axes takes the written-out kernel, and its tape.
        var spec2 = new LayerNormalizationSpec(-1, 1e-5);
        Assert.False(ClosedForms.For(spec2)!.Covers(spec2, [shape, [1], [shape[2]]], [true, true, true]));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Batch_normalization_products_equal_autograd_in_both_forms(int seed, Precision precision)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed);
        long channels = random.Next(2, 6);
        foreach (long[] shape in new long[][] { [random.Next(1, 5), channels, random.Next(2, 6), random.Next(2, 6)], [random.Next(2, 5), channels, 7] })
        {
            var x = ClosedFormCheck.Input(shape, precision, seed, transposed: random.Next(2) == 0);
            var scale = ClosedFormCheck.Input([channels], precision, seed + 1, false);
            var bias = ClosedFormCheck.Input([channels], precision, seed + 2, false);
            var mean = ClosedFormCheck.Input([channels], precision, seed + 3, false);
            var variance = ClosedFormCheck.Input([channels], precision, seed + 4, false).abs().Plus(0.1);
            // The inference form (the stored statistics) and the training form (the batch's).
            var training = new BatchNormalizationSpec(1e-3, Batch: new BatchStatistics(0.9, "mean", "var"));
            foreach (var spec in new[] { new BatchNormalizationSpec(1e-5), training })
                foreach (bool[] wanted in Subsets(3))
                    ClosedFormCheck.AssertEqualsAutograd(new BatchNormalizationKernel(), spec, [x, scale, bias, mean, variance], [.. wanted, false, false]);
        }
        var form = ClosedForms.For(new BatchNormalizationSpec(1e-5))!;
        // The stored statistics are detached by the kernel: they take no product, even as a parameter's view.
        Assert.True(form.Detaches(new BatchNormalizationSpec(1e-5), 3) && form.Detaches(new BatchNormalizationSpec(1e-5), 4));
        Assert.False(form.Detaches(new BatchNormalizationSpec(1e-5), 1));
        // The training form without spatial axes (a batch of one may give one value per channel) and the per-activation form
        // stay on tapes.
        var batchStatistics = new BatchNormalizationSpec(1e-5, Batch: new BatchStatistics(0.9, "mean", "var"));
        Assert.False(form.Covers(batchStatistics, [[1, 3], [3], [3], [3], [3]], [true, true, true, false, false]));
        Assert.True(form.Covers(batchStatistics, [[1, 3, 4], [3], [3], [3], [3]], [true, true, true, false, false]));
        var perActivation = new BatchNormalizationSpec(1e-5, Spatial: false);
        Assert.False(form.Covers(perActivation, [[2, 3], [3], [3], [3], [3]], [true, true, true, false, false]));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Gather_products_equal_autograd(int seed, Precision precision)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed);
        var table = ClosedFormCheck.Input([random.Next(5, 12), random.Next(2, 6)], precision, seed, false);
        long rows = table.shape[0];
        // Repeated ids (their rows summed in order) and negative ones (counted from the back).
        var ids = tensor(Enumerable.Range(0, 12).Select(_ => (long)random.Next((int)-rows, (int)rows)).ToArray()).reshape(3, 4);
        ClosedFormCheck.AssertEqualsAutograd(new GatherLookupKernel(), new GatherLookupSpec(0), [table, ids], [true, false]);
        ClosedFormCheck.AssertEqualsAutograd(new GatherLookupKernel(), new GatherLookupSpec(1), [table.t(), ids.remainder(table.shape[1])], [true, false]);
        // Constant indices, as a class token's position: a scalar index drops the axis.
        ClosedFormCheck.AssertEqualsAutograd(new GatherKernel(), new GatherSpec(0, [0], []), [table], [true]);
        ClosedFormCheck.AssertEqualsAutograd(new GatherKernel(), new GatherSpec(-1, [1, -1, 1], [3]), [table], [true]);
    }

    private static IEnumerable<bool[]> Subsets(int count) =>
        Enumerable.Range(1, (1 << count) - 1).Select(bits => Enumerable.Range(0, count).Select(i => (bits >> i & 1) == 1).ToArray());
}
