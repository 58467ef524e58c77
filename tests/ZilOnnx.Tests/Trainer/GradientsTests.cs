using System.Runtime.InteropServices;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer;

/// <summary>
/// The vector-Jacobian products every rule takes go through <see cref="Gradients.Of"/>: the same numbers as autograd.grad,
/// and a libtorch error inside the backward pass an exception .NET can handle. (Through TorchSharp's autograd.grad the
/// same error ends the process with std::terminate, so that side cannot be shown here without ending the test run.)
/// </summary>
public sealed class GradientsTests
{
    [Fact]
    public void The_products_are_autograd_grads_bitwise_with_an_unused_input_as_null()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        Tensor Leaf(params long[] shape) => randn(shape, float64, generator: generator).requires_grad_(true);
        var (x, w, b, unused) = (Leaf(8, 5), Leaf(5, 3), Leaf(3), Leaf(2));
        var error = randn([8, 3], float64, generator: generator);
        Tensor Forward() => (x.matmul(w) + b).tanh() * x.sum(1, keepdim: true);

        var expected = autograd.grad([Forward()], [x, w, b, unused], [error], allow_unused: true);
        var actual = Gradients.Of([Forward()], [x, w, b, unused], [error]);

        for (int i = 0; i < 3; i++) Assert.True((actual[i]! - expected[i]).MaxAbs() == 0, $"input {i}");
        Assert.Null(actual[3]);
    }

    [Fact]
    public void A_libtorch_error_in_the_backward_pass_is_an_exception()
    {
        using var scope = NewDisposeScope();
        var x = ones(4, 3).requires_grad_(true);
        // An output gradient of the wrong shape fails inside libtorch's backward, as an allocation that fails does.
        var e = Assert.Throws<ExternalException>(() => Gradients.Of([x * 2], [x], [ones(5, 3)]));
        Assert.Contains("shape", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
