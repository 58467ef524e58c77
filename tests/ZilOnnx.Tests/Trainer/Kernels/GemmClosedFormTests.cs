using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// Gemm's written-out local products (<see cref="GemmClosedForm"/>) against autograd through the same kernel, bit
/// for bit, in float64 and float32; and the configurations left to autograd.
/// </summary>
public sealed class GemmClosedFormTests
{
    /// <summary>transA, transB, C's shape (null: no C), which of A, B, C take a product, rows M, inner K, columns N.</summary>
    public static IEnumerable<object?[]> GemmCases()
    {
        (bool, bool, string?, string)[] forms =
        [
            (false, true, "N", "ABC"), (false, false, "N", "BC"), (true, true, "1N", "AB"), (true, false, "MN", "ABC"),
            (false, true, "M1", "AC"), (false, true, null, "AB"), (true, true, "1", "ABC"),
        ];
        (long, long, long)[] sizes = [(64, 400, 120), (1, 7, 3), (9, 1, 1), (33, 17, 40)];
        foreach (var precision in new[] { Precision.Float64, Precision.Float32 })
            foreach (var (transA, transB, c, wanted) in forms)
                foreach (var (m, k, n) in sizes)
                    yield return [transA, transB, c, wanted, m, k, n, precision];
    }

    [Theory]
    [MemberData(nameof(GemmCases))]
    public void Gemm_products_equal_autograd_bitwise(bool transA, bool transB, string? cShape, string wanted, long m, long k, long n, Precision precision)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var dtype = precision.ToScalarType();
        long[]? c = cShape switch { null => null, "N" => [n], "1N" => [1, n], "MN" => [m, n], "M1" => [m, 1], _ => [1] };
        var inputs = new Tensor?[]
        {
            randn(transA ? [k, m] : [m, k], dtype: dtype),
            randn(transB ? [n, k] : [k, n], dtype: dtype),
            c is null ? null : randn(c, dtype: dtype),
        };
        bool[] take = [wanted.Contains('A'), wanted.Contains('B'), c is not null && wanted.Contains('C')];
        ClosedFormCheck.AssertBitwiseAutograd(new GemmKernel(), new GemmSpec(1.0, 1.0, transA, transB), inputs, take);
    }

    [Fact]
    public void A_scaled_gemm_stays_with_autograd()
    {
        using var scope = NewDisposeScope();
        bool[] all = [true, true, true];
        long[]?[] given = [[2, 3], [3, 4], [4]];
        IClosedForm gemm = new GemmClosedForm();
        Assert.True(gemm.Covers(new GemmSpec(1.0, 1.0, false, false), given, all));
        Assert.False(gemm.Covers(new GemmSpec(0.5, 1.0, false, false), given, all));
        Assert.False(gemm.Covers(new GemmSpec(1.0, 2.0, false, false), given, all));
        Assert.True(gemm.Covers(new GemmSpec(1.0, 2.0, false, false), [[2, 3], [3, 4], null], all));
    }
}
