using Xunit;
using TorchSharp;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer;

/// <summary>
/// TorchSharp loads from the build output (where Directory.Build.targets patched libLibTorchSharp.so where the
/// system needs it) and computes a float64 convolution and its gradients correctly.
/// </summary>
public class TorchSharpLoadTests
{
    // Every input is a small integer, so every exact intermediate is an integer far below 2^53 and float64
    // represents all of them: any correct direct or im2col convolution gives these values exactly. The tolerance
    // only leaves room for an algorithm that rounds in between (a transform-based convolution): 1e-9 is about
    // 1e-12 relative to the largest value (1696), far above float64 rounding and far below the smallest real
    // error (1).
    private const double Tolerance = 1e-9;

    [Fact]
    public void Conv2dForwardAndGradMatchAHandComputedExample()
    {
        // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]], no bias, stride 1, no padding:
        // y[i,j] = sum_ab w[a,b] x[i+a,j+b] = [[37,47],[67,77]].
        using var x = tensor(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, new long[] { 1, 1, 3, 3 }, requires_grad: true);
        using var w = tensor(new double[] { 1, 2, 3, 4 }, new long[] { 1, 1, 2, 2 }, requires_grad: true);

        using var y = nn.functional.conv2d(x, w);
        Assert.Equal(ScalarType.Float64, y.dtype);
        AssertValues(new double[] { 37, 47, 67, 77 }, y);

        // loss = sum(y^2)/2, so dloss/dy = y.
        // dloss/dw[a,b] = sum_ij y[i,j] x[i+a,j+b], e.g. dw[0,0] = 37*1 + 47*2 + 67*4 + 77*5 = 784.
        // dloss/dx[p,q] = sum_ab y[p-a,q-b] w[a,b], e.g. dx[1,1] = 77*1 + 67*2 + 47*3 + 37*4 = 500.
        using var loss = y.square().sum() / 2;
        var grads = autograd.grad(new[] { loss }, new[] { x, w });

        AssertValues(new double[] { 37, 121, 94, 178, 500, 342, 201, 499, 308 }, grads[0]);
        AssertValues(new double[] { 784, 1012, 1468, 1696 }, grads[1]);
    }

    private static void AssertValues(double[] expected, Tensor actual)
    {
        double[] values = actual.detach().flatten().data<double>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - values[i]) <= Tolerance, $"element {i}: expected {expected[i]}, got {values[i]}");
    }
}
