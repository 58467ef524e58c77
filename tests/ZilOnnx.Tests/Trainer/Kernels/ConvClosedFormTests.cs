using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// Conv's written-out products (<see cref="ConvClosedForm"/>, libtorch's convolution_backward) against autograd through
/// the same kernel, bit for bit, in float64 and float32, over the configurations the bench's CNNs and the fixtures use;
/// and the configuration left to autograd.
/// </summary>
public sealed class ConvClosedFormTests
{
    /// <summary>Spatial rank, stride, dilation, group, pads per side, bias, and which of X, W, B take a product.</summary>
    public static IEnumerable<object[]> ConvCases()
    {
        (int Rank, long Stride, long Dilation, long Group, long Pad, bool Bias, string Wanted)[] forms =
        [
            (2, 1, 1, 1, 1, true, "XWB"),   // a ResNet's 3x3 convolution, bias folded in from its batch norm
            (2, 2, 1, 1, 1, false, "XW"),   // strided, no bias
            (2, 1, 1, 8, 1, true, "XWB"),   // depthwise (MobileNet, ShuffleNet)
            (2, 1, 2, 1, 2, true, "XWB"),   // dilated
            (2, 2, 1, 1, 3, true, "WB"),    // the first layer: the data takes no product
            (2, 1, 1, 2, 0, true, "X"),     // grouped, frozen weights: only the input
            (1, 2, 1, 1, 1, true, "XWB"),   // 1-D, run as 2-D over an axis of size 1
            (3, 1, 1, 1, 1, true, "XWB"),
        ];
        foreach (var precision in new[] { Precision.Float64, Precision.Float32 })
            foreach (var (rank, stride, dilation, group, pad, bias, wanted) in forms)
                yield return [rank, stride, dilation, group, pad, bias, wanted, precision];
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv_products_equal_autograd_bitwise(int rank, long stride, long dilation, long group, long pad, bool bias, string wanted,
        Precision precision)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var dtype = precision.ToScalarType();
        long channels = 8, filters = 16, size = rank == 3 ? 6 : 12;
        var spec = new ConvSpec(Enumerable.Repeat(stride, rank).ToArray(), Enumerable.Repeat(dilation, rank).ToArray(), group,
            new SpatialPadding(AutoPad.NotSet, Enumerable.Repeat(pad, 2 * rank).ToArray()));
        var inputs = new Tensor?[]
        {
            randn([4, channels, .. Enumerable.Repeat(size, rank)], dtype: dtype),
            randn([filters, channels / group, .. Enumerable.Repeat(3L, rank)], dtype: dtype),
            bias ? randn([filters], dtype: dtype) : null,
        };
        bool[] take = [wanted.Contains('X'), wanted.Contains('W'), bias && wanted.Contains('B')];
        ClosedFormCheck.AssertBitwiseAutograd(new ConvKernel(), spec, inputs, take);
    }

    [Fact]
    public void Unequal_pads_stay_with_autograd()
    {
        // SAME_UPPER with an even kernel pads one more cell at the end: the kernel pads separately before convolving.
        var same = new ConvSpec([1, 1], [1, 1], 1, new SpatialPadding(AutoPad.SameUpper, []));
        IClosedForm conv = new ConvClosedForm();
        Assert.False(conv.Covers(same, [[1, 3, 8, 8], [4, 3, 2, 2]], [true, true]));
        Assert.True(conv.Covers(same, [[1, 3, 8, 8], [4, 3, 3, 3]], [true, true]));
    }
}
