using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// The written-out products of the operators that move values without arithmetic (<see cref="ReshapeClosedForm"/>,
/// <see cref="TransposeClosedForm"/>, <see cref="WindowClosedForm"/>, <see cref="ConcatClosedForm"/>) against autograd through the same kernel, bit for
/// bit and in the same memory layout, in float64 and float32, on random shapes.
/// </summary>
public sealed class LayoutClosedFormTests
{
    public static IEnumerable<object[]> Seeds() => ClosedFormCheck.SeedsInBothPrecisions(4);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Reshape_flatten_squeeze_unsqueeze_and_identity_products_equal_autograd(int seed, Precision precision)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed);
        long[] shape = RandomShape(random, 4);
        var x = ClosedFormCheck.Input(shape, precision, seed, random.Next(2) == 0);
        long total = shape.Aggregate(1L, (p, d) => p * d);
        Check(new ReshapeKernel(), new ReshapeSpec([shape[0], -1], AllowZero: false), x);
        Check(new ReshapeKernel(), new ReshapeSpec([total], AllowZero: false), x);
        Check(new FlattenKernel(), new FlattenSpec(random.Next(5)), x);
        Check(new AxesReshapeKernel(), new UnsqueezeSpec([random.Next(5)]), x);
        Check(new IdentityKernel(), IdentitySpec.Instance, x);
        var withOnes = ClosedFormCheck.Input([shape[0], 1, shape[1], 1], precision, seed, transposed: false);
        Check(new AxesReshapeKernel(), new SqueezeSpec([1, 3]), withOnes);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Transpose_products_equal_autograd(int seed, Precision precision)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed);
        int rank = 2 + random.Next(3);
        var x = ClosedFormCheck.Input(RandomShape(random, rank), precision, seed, random.Next(2) == 0);
        long[] perm = Enumerable.Range(0, rank).Select(a => (long)a).OrderBy(_ => random.Next()).ToArray();
        Check(new TransposeKernel(), new TransposeSpec(perm), x);
        Check(new TransposeKernel(), new TransposeSpec(null), x);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Slice_and_split_products_equal_autograd(int seed, Precision precision)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed);
        long[] shape = RandomShape(random, 3, minimum: 4);
        var x = ClosedFormCheck.Input(shape, precision, seed, random.Next(2) == 0);
        // A narrow on one axis, strided index_selects on two (one of them backwards), and the whole tensor.
        Check(new SliceKernel(), new SliceSpec([1], [shape[1] - 1], [1], null), x);
        Check(new SliceKernel(), new SliceSpec([0, shape[2] - 1], [shape[0], 0], [0, 2], [2, -2]), x);
        Check(new SliceKernel(), new SliceSpec([0], [long.MaxValue], [0], null), x);
        Check(new SplitKernel(), new SplitSpec(2, null, 2, LastMayBeSmaller: false, Index: 1), ClosedFormCheck.Input([shape[0], shape[1], 6], precision, seed, false));
        Check(new SplitKernel(), new SplitSpec(0, [1, shape[0] - 1], 2, LastMayBeSmaller: false, Index: 0), x);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Concat_products_equal_autograd(int seed, Precision precision)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed);
        long[] shape = RandomShape(random, 3);
        int axis = random.Next(3);
        var parts = Enumerable.Range(0, 3).Select(i =>
        {
            var partShape = (long[])shape.Clone();
            partShape[axis] = random.Next(1, 5);
            return ClosedFormCheck.Input(partShape, precision, seed + i, random.Next(2) == 0);
        }).ToArray();
        var spec = new ConcatSpec(axis - 3);
        // Every input takes a product, or only some (a constant among them still takes its place along the axis).
        foreach (bool[] wanted in new[] { new[] { true, true, true }, new[] { false, true, false } })
        {
            ClosedFormCheck.AssertBitwiseAutograd(new ConcatKernel(), spec, parts, wanted);
            ClosedFormCheck.AssertLayoutOfAutograd(new ConcatKernel(), spec, parts, wanted);
        }
    }

    /// <summary>Only the data input takes a product: the shapes, indices and axes are static.</summary>
    [Fact]
    public void Only_the_data_input_is_covered()
    {
        var reshape = new ReshapeClosedForm();
        Assert.True(reshape.Covers(new ReshapeSpec([-1], false), [[6], [1]], [true, false]));
        Assert.False(reshape.Covers(new ReshapeSpec([-1], false), [[6], [1]], [false, false]));
        Assert.False(reshape.Covers(new ReshapeSpec([-1], false), [[6], [1]], [true, true]));
    }

    private static void Check(IKernel kernel, OpSpec spec, Tensor x)
    {
        ClosedFormCheck.AssertBitwiseAutograd(kernel, spec, [x], [true]);
        ClosedFormCheck.AssertLayoutOfAutograd(kernel, spec, [x], [true]);
    }

    private static long[] RandomShape(Random random, int rank, int minimum = 1) =>
        Enumerable.Range(0, rank).Select(_ => (long)random.Next(minimum, minimum + 6)).ToArray();
}
