using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// MatMul's written-out local products (<see cref="MatMulClosedForm"/>) against autograd through the same kernel, bit for
/// bit and in autograd's layout, in float64 and float32, on random sizes and on operands stored transposed; and the
/// configurations left to autograd.
/// </summary>
public sealed class MatMulClosedFormTests
{
    /// <summary>A's and B's batch axes ("" none), which of A and B take a product, whether A and B are stored transposed.</summary>
    public static IEnumerable<object[]> Cases()
    {
        (string, string)[] batches = [("", ""), ("3", ""), ("2,3", ""), ("4", "4"), ("2,3", "2,3")];
        foreach (var precision in new[] { Precision.Float64, Precision.Float32 })
            foreach (var (batchA, batchB) in batches)
                foreach (string wanted in new[] { "AB", "A", "B" })
                    foreach (bool transposed in new[] { false, true })
                        yield return [batchA, batchB, wanted, transposed, precision];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatMul_products_equal_autograd_bitwise(string batchA, string batchB, string wanted, bool transposed, Precision precision)
    {
        using var scope = NewDisposeScope();
        var random = new Random(batchA.Length * 31 + batchB.Length * 7 + wanted.Length + (transposed ? 1 : 0));
        long m = random.Next(1, 40), k = random.Next(1, 300), n = random.Next(1, 40);
        var dtype = precision.ToScalarType();
        manual_seed(random.Next());
        var a = Matrices(Axes(batchA), m, k, transposed, dtype);
        var b = Matrices(Axes(batchB), k, n, transposed, dtype);
        bool[] take = [wanted.Contains('A'), wanted.Contains('B')];
        ClosedFormCheck.AssertBitwiseAutograd(new MatMulKernel(), new MatMulSpec(), [a, b], take);
        ClosedFormCheck.AssertLayoutOfAutograd(new MatMulKernel(), new MatMulSpec(), [a, b], take);
    }

    /// <summary>
    /// The kernel folds [..., M, K] x [K, N] into one mm whether or not B requires a gradient, which is what libtorch's matmul
    /// does for backprop's weights (they do): the same bits as before for backprop, and now for a forward without a graph too.
    /// </summary>
    [Theory]
    [InlineData(Precision.Float64)]
    [InlineData(Precision.Float32)]
    public void The_folded_product_is_libtorchs_matmul_with_a_trained_weight(Precision precision)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var dtype = precision.ToScalarType();
        // A stored transposed: its batch axes are not contiguous, the case in which libtorch folds only for a trained B.
        var a = randn([7, 5, 33], dtype: dtype).transpose(0, 1);
        var weight = randn([33, 9], dtype: dtype).requires_grad_(true);
        var expected = matmul(a, weight).detach();
        Tensor actual;
        using (no_grad()) actual = ((IKernel)new MatMulKernel()).Forward(new MatMulSpec(), [a, weight.detach()]);
        Assert.True(actual.Equals(expected), $"differs from matmul by {(actual - expected).abs().max().ToDouble():E3}");
    }

    [Fact]
    public void Broadcast_batches_and_vectors_stay_with_autograd()
    {
        IClosedForm closedForm = new MatMulClosedForm();
        bool[] both = [true, true];
        Assert.True(closedForm.Covers(new MatMulSpec(), [[2, 3], [3, 4]], both));
        Assert.True(closedForm.Covers(new MatMulSpec(), [[5, 2, 3], [3, 4]], both));
        Assert.True(closedForm.Covers(new MatMulSpec(), [[5, 6, 2, 3], [5, 6, 3, 4]], both));
        Assert.False(closedForm.Covers(new MatMulSpec(), [[5, 2, 3], [1, 3, 4]], both));
        Assert.False(closedForm.Covers(new MatMulSpec(), [[2, 3], [5, 3, 4]], both));
        Assert.False(closedForm.Covers(new MatMulSpec(), [[5, 2, 3], [3]], both));
        Assert.False(closedForm.Covers(new MatMulSpec(), [[3], [3, 4]], both));
    }

    private static long[] Axes(string batch) => batch.Length == 0 ? [] : batch.Split(',').Select(long.Parse).ToArray();

    /// <summary>Random [..batch, rows, columns], stored column-major per matrix when <paramref name="transposed"/>.</summary>
    private static Tensor Matrices(long[] batch, long rows, long columns, bool transposed, ScalarType dtype) =>
        transposed ? randn([.. batch, columns, rows], dtype: dtype).transpose(-1, -2) : randn([.. batch, rows, columns], dtype: dtype);
}
