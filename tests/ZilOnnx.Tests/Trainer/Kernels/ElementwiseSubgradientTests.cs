using TorchSharp;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Tests.Converter.Onnx;
using static TorchSharp.torch;
using static ZilOnnx.Tests.Trainer.Kernels.ElementwiseGraph;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>
/// Where a derivative is not defined, the local products follow PyTorch's own functions (documented on the
/// kernels): these are the values at the kinks, bounds and ties, for an error of 1.
/// </summary>
public sealed class ElementwiseSubgradientTests
{
    private static double[] Derivative(int opset, string op, double[] x, AttributeProto[] attributes, params TensorProto[] initializers)
    {
        var graph = new ElementwiseGraph(opset, [x.Length], null, op, ["h", .. initializers.Select(t => t.Name)], attributes, initializers);
        var data = new Dictionary<string, Tensor> { ["x"] = tensor(x, ScalarType.Float64) };
        var (_, products, pcn) = LocalBackward(graph.Model, data, shape => ones(shape, ScalarType.Float64));
        using var _ = pcn;
        return products["h"].data<double>().ToArray();
    }

    [Fact]
    public void Kinks_take_the_branch_pytorch_takes()
    {
        Assert.Equal([0.25, 0.25, 1], Derivative(16, "LeakyRelu", [-1, 0, 1], [Float("alpha", 0.25f)]));
        Assert.Equal([0.0, 0, 0], Derivative(13, "Abs", [0, 0, 0], []).Select(Math.Abs));
        Assert.Equal([0.5, 1], Derivative(22, "Elu", [0, 1], [Float("alpha", 0.5f)]));
        Assert.Equal([1.0, 1], Derivative(12, "Celu", [0, 1], [Float("alpha", 0.5f)]));
        Assert.Equal([2 * 0.5, 2], Derivative(22, "Selu", [0, 1], [Float("alpha", 0.5f), Float("gamma", 2)]));
        // PRelu: d/dx at 0 is the slope, like torch.prelu.
        Assert.Equal([0.25, 0.25, 1], Derivative(16, "PRelu", [-1, 0, 1], [], ModelBuilder.FloatTensor("s", [1], 0.25f)));
    }

    [Fact]
    public void Bounds_pass_the_gradient_for_clip_and_stop_it_for_hard_sigmoid()
    {
        // Clip is torch.clamp: the bounds are inside.
        Assert.Equal([0.0, 1, 1, 1, 0], Derivative(6, "Clip", [-2, -1, 0, 1, 2], [Float("min", -1), Float("max", 1)]));
        // HardSigmoid is torch.hardsigmoid's convention: 0 where alpha x + beta is exactly 0 or 1.
        Assert.Equal([0.0, 0, 0.5, 0, 0], Derivative(6, "HardSigmoid", [-2, -1, 0, 1, 2], [Float("alpha", 0.5f), Float("beta", 0.5f)]));
        // HardSwish is torch.hardswish: the middle formula x / 3 + 1/2 on the closed interval [-3, 3].
        Assert.Equal([0.0, -0.5, 0.5, 1.5, 1], Derivative(14, "HardSwish", [-4, -3, 0, 3, 4], []));
    }

    [Fact]
    public void Pow_with_exponent_zero_has_zero_gradient_and_sqrt_is_infinite_at_zero()
    {
        Assert.Equal([0.0, 0], Derivative(15, "Pow", [0, 2], [], ModelBuilder.FloatTensor("e", [], 0)));
        Assert.Equal([0.0, 4], Derivative(15, "Pow", [0, 2], [], ModelBuilder.FloatTensor("e", [], 2)));
        Assert.True(double.IsPositiveInfinity(Derivative(13, "Sqrt", [0], [])[0]));
    }

    [Fact]
    public void Max_and_min_split_the_gradient_evenly_between_ties()
    {
        var graph = new ElementwiseGraph(13, [3], [3], "Max", ["h", "h2", "w"], [], [ModelBuilder.FloatTensor("w", [3], 1, 5, 0)]);
        var data = new Dictionary<string, Tensor> { ["x"] = tensor(new double[] { 1, 2, 0 }), ["x2"] = tensor(new double[] { 1, 3, -1 }) };
        var (_, products, pcn) = LocalBackward(graph.Model, data, shape => ones(shape, ScalarType.Float64));
        using var _ = pcn;
        Assert.Equal([1 / 3.0, 0, 0.5], products["h"].data<double>().ToArray());
        Assert.Equal([1 / 3.0, 0, 0], products["h2"].data<double>().ToArray());
        Assert.Equal([1 / 3.0, 1, 0.5], products["w"].data<double>().ToArray());
    }
}
