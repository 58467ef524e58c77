using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Kernels;
using Xunit;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>The convolution kernels check their inputs with the spec's own shape rules, reported as kernel errors.</summary>
public sealed class ConvKernelShapeTests
{
    private static readonly SpatialPadding NoPadding = new(AutoPad.NotSet, [0, 0, 0, 0]);

    [Fact]
    public void Conv_with_a_channel_mismatch_reports_the_specs_message()
    {
        var spec = new ConvSpec([1, 1], [1, 1], 1, NoPadding);
        using var x = zeros(1, 3, 5, 5, float64);
        using var w = zeros(4, 2, 3, 3, float64);

        var e = Assert.Throws<KernelException>(() => KernelRegistry.For(spec).Forward(spec, [x, w]));

        Assert.Equal("Conv: X [1, 3, 5, 5] has 3 channels, W [4, 2, 3, 3] with group 1 expects 2", e.Message);
    }

    [Fact]
    public void ConvTranspose_with_a_bias_of_the_wrong_size_reports_the_specs_message()
    {
        var spec = new ConvTransposeSpec([1, 1], [1, 1], 1, NoPadding, [0, 0], null);
        using var x = zeros(1, 2, 3, 3, float64);
        using var w = zeros(2, 4, 3, 3, float64);
        using var b = zeros(3, float64);

        var e = Assert.Throws<KernelException>(() => KernelRegistry.For(spec).Forward(spec, [x, w, b]));

        Assert.Equal("ConvTranspose: bias [3] does not match 4 output channels", e.Message);
    }

    [Fact]
    public void Conv_with_fitting_inputs_computes_the_shape_the_spec_infers()
    {
        var spec = new ConvSpec([2, 1], [1, 1], 1, NoPadding);
        using var x = ones(2, 3, 7, 5, float64);
        using var w = ones(4, 3, 3, 3, float64);

        using var y = KernelRegistry.For(spec).Forward(spec, [x, w]);

        Assert.Equal(spec.InferShape([x.shape, w.shape]), y.shape);
        Assert.Equal(27.0, y[0, 0, 0, 0].item<double>()); // 3 channels x 3 x 3 ones: exact in float64
    }
}
