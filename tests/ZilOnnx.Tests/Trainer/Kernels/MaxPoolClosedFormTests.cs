using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// 2-D MaxPool's written-out product (<see cref="MaxPoolClosedForm"/>, on the CPU gather's scatter_add at the positions its
/// forward pass keeps) against autograd through <see cref="PoolKernel"/>, bit for bit and in autograd's layout, in float64
/// and float32, over the windows the bench's CNNs use, on inputs full of ties; the kernel's pooling against torch's own
/// max_pool2d, values and gradients; and the poolings left to autograd.
/// </summary>
public sealed class MaxPoolClosedFormTests
{
    /// <summary>Kernel, stride, pads (ONNX order, or null for SAME_UPPER), dilation, ceil_mode, input size.</summary>
    public static IEnumerable<object[]> Windows()
    {
        (long Kernel, long Stride, long[]? Pads, long Dilation, bool Ceil, long Size)[] forms =
        [
            (2, 2, [0, 0, 0, 0], 1, false, 12),   // LeNet-5, the VGG
            (3, 2, [1, 1, 1, 1], 1, false, 13),   // ResNet-18, ShuffleNetV2, DenseNet-121
            (3, 2, [0, 0, 0, 0], 1, true, 14),    // SqueezeNet: ceil_mode adds a last window over the edge
            (3, 1, [2, 0, 1, 2], 2, false, 9),    // dilated, unequal pads
            (2, 2, null, 1, false, 7),            // SAME_UPPER on an odd size: one more cell at the end
            (3, 3, [1, 1, 1, 1], 1, true, 10),
            (2, 1, [1, 1, 1, 1], 1, false, 8),    // pads of half the kernel: torch's own padding still takes them
            (3, 1, [2, 2, 2, 2], 2, true, 9),     // pads over half the kernel: padded explicitly
        ];
        foreach (var precision in new[] { Precision.Float64, Precision.Float32 })
            foreach (var (kernel, stride, pads, dilation, ceil, size) in forms)
                yield return [kernel, stride, pads ?? Array.Empty<long>(), dilation, ceil, size, precision];
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public void MaxPool_product_equals_autograd_bitwise_and_in_the_tapes_layout(long kernel, long stride, long[] pads, long dilation,
        bool ceil, long size, Precision precision)
    {
        using var scope = NewDisposeScope();
        var spec = new PoolSpec(PoolKind.Max, [kernel, kernel], [stride, stride], [dilation, dilation],
            pads.Length == 0 ? new SpatialPadding(AutoPad.SameUpper, []) : new SpatialPadding(AutoPad.NotSet, pads), ceil,
            CountIncludePad: false);
        manual_seed(5);
        // Small integers: most windows hold several cells tied for the maximum, and the error must reach the first of them,
        // as autograd sends it.
        var x = randint(0, 3, [3, 4, size, size + 1]).to(precision.ToScalarType());
        ClosedFormCheck.AssertEqualsAutograd(new PoolKernel(), spec, [x], [true]);
    }

    /// <summary>Kernel, stride, pad (both ends of both axes), dilation, ceil_mode, input size: windows torch pads itself.</summary>
    public static IEnumerable<object[]> TorchWindows()
    {
        (long Kernel, long Stride, long Pad, long Dilation, bool Ceil, long Size)[] forms =
        [
            (2, 2, 0, 1, false, 12), (3, 2, 1, 1, false, 13), (3, 2, 0, 1, true, 14), (3, 3, 1, 1, true, 10), (3, 1, 1, 2, false, 9),
        ];
        foreach (var precision in new[] { Precision.Float64, Precision.Float32 })
            foreach (var values in new[] { "ties", "nan" })
                foreach (long channels in new[] { 7L, 17L })
                    foreach (var (kernel, stride, pad, dilation, ceil, size) in forms)
                        yield return [kernel, stride, pad, dilation, ceil, size, channels, values, precision];
    }

    /// <summary>
    /// The kernel's max pooling on the CPU finds the maxima with libtorch's channels-last kernel and gathers them (see
    /// GatheredMaxPool); it must be torch's own max pooling: the same values and, through autograd, the same gradient bit for
    /// bit, on inputs full of ties (small integers: the first maximum of a window takes the error) or holding NaN and -inf
    /// (a NaN is a window's maximum, the last one where several are); with 7 channels (pooled with the batch's planes joined)
    /// and 17 (pooled as they are, the vectorized kernel's remainder loop running too).
    /// </summary>
    [Theory]
    [MemberData(nameof(TorchWindows))]
    public void Max_pooling_on_the_cpu_is_torchs_max_pooling_bitwise(long kernel, long stride, long pad, long dilation, bool ceil,
        long size, long channels, string values, Precision precision)
    {
        using var scope = NewDisposeScope();
        var spec = new PoolSpec(PoolKind.Max, [kernel, kernel], [stride, stride], [dilation, dilation],
            new SpatialPadding(AutoPad.NotSet, [pad, pad, pad, pad]), ceil, CountIncludePad: false);
        manual_seed(7);
        var x = values == "ties" ? randint(0, 3, [2, channels, size, size + 1]) : randn(2, channels, size, size + 1);
        x = x.to(precision.ToScalarType());
        if (values == "nan")
        {
            var cells = rand(x.shape);
            x = x.masked_fill(cells < 0.1, double.NaN).masked_fill(cells > 0.9, double.NegativeInfinity);
        }
        var leaf = x.detach().requires_grad_(true);
        var reference = x.detach().requires_grad_(true);
        var pooled = new PoolKernel().Forward(spec, [leaf]);
        var expected = nn.functional.max_pool2d(reference, [kernel, kernel], [stride, stride], [pad, pad], [dilation, dilation], ceil);
        Assert.Equal(expected.shape, pooled.shape);
        Assert.True(isnan(pooled).Equals(isnan(expected)), "NaN in other windows");
        Assert.True(pooled.nan_to_num().Equals(expected.nan_to_num()), "other maxima");
        var error = randn_like(expected);
        var gradient = autograd.grad([pooled], [leaf], [error])[0];
        var expectedGradient = autograd.grad([expected], [reference], [error])[0];
        Assert.True(gradient.Equals(expectedGradient), $"gradients differ by {(gradient - expectedGradient).abs().max().ToDouble():E3}");
    }

    [Fact]
    public void Average_pooling_and_other_ranks_stay_with_autograd()
    {
        var padding = new SpatialPadding(AutoPad.NotSet, [0, 0, 0, 0]);
        var closedForm = ClosedForms.For(new PoolSpec(PoolKind.Max, [2, 2], [2, 2], [1, 1], padding, false, false))!;
        Assert.True(closedForm.Covers(new PoolSpec(PoolKind.Max, [2, 2], [2, 2], [1, 1], padding, false, false), [[1, 1, 4, 4]], [true]));
        Assert.False(closedForm.Covers(new PoolSpec(PoolKind.Average, [2, 2], [2, 2], [1, 1], padding, false, false), [[1, 1, 4, 4]],
            [true]));
        Assert.False(closedForm.Covers(new PoolSpec(PoolKind.Max, [2], [2], [1], new SpatialPadding(AutoPad.NotSet, [0, 0]), false, false),
            [[1, 1, 4]], [true]));
    }
}
