using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Kernels;

/// <summary>A kernel's written-out products (<see cref="IClosedForm"/>) against autograd through its own forward pass.</summary>
internal static class ClosedFormCheck
{
    /// <summary>
    /// Asserts that the kernel covers the configuration and that every wanted product equals autograd's to the last
    /// bit (the closed form replaces autograd's products in Z-IL, whose updates are held to backprop's), and that the
    /// unwanted ones are left out. The error is random, from the given seed.
    /// </summary>
    public static void AssertBitwiseAutograd(IKernel kernel, OpSpec spec, Tensor?[] inputs, bool[] wanted, int seed = 11)
    {
        var closedForm = ClosedForms.For(spec);
        Assert.NotNull(closedForm);
        Assert.True(closedForm.Covers(spec, Shapes(inputs), wanted), $"{spec.OpType}: not covered");
        var (_, wantedSlots, expected, products) = BothProducts(kernel, spec, inputs, wanted, seed);
        for (int k = 0; k < wantedSlots.Count; k++)
        {
            var product = products[wantedSlots[k]];
            Assert.NotNull(product);
            Assert.Equal(expected[k].shape, product.shape);
            // Bit for bit, not to a tolerance, even in float32 with sums of 400 terms (GemmClosedFormTests): the closed
            // form runs the operations autograd's backward runs, so the same libtorch kernels on the same tensors and
            // layouts in this process, which sum in the same order whatever the machine's SIMD width or thread count
            // (ZilClosedFormTests). A tolerance would let the closed form's operations drift from autograd's, and Z-IL's
            // bitwise equality with backprop rests on them being the same.
            Assert.True(product.Equals(expected[k]), $"{spec.OpType} input {wantedSlots[k]}: differs from autograd by {(product - expected[k]).abs().max().ToDouble():E3}");
        }
        Assert.All(Enumerable.Range(0, inputs.Length).Where(slot => !wanted[slot] && slot < products.Length), slot => Assert.Null(products[slot]));
    }

    /// <summary>
    /// Asserts that every wanted product has the strides of autograd's: a product is the next vertex's error, and the
    /// operations that vertex runs on it may round differently on another layout (a matrix product's gradient does).
    /// </summary>
    public static void AssertLayoutOfAutograd(IKernel kernel, OpSpec spec, Tensor?[] inputs, bool[] wanted, int seed = 11)
    {
        var (_, wantedSlots, expected, products) = BothProducts(kernel, spec, inputs, wanted, seed);
        for (int k = 0; k < wantedSlots.Count; k++)
            Assert.Equal(expected[k].stride(), products[wantedSlots[k]]!.stride());
    }

    /// <summary>
    /// A random error (from <paramref name="seed"/>) at the kernel's output, the wanted slots, autograd's products for them
    /// through the kernel's own forward pass on leaves, and the closed form's products for every slot.
    /// </summary>
    private static (Tensor Error, List<int> WantedSlots, IList<Tensor> Expected, Tensor?[] Products) BothProducts(IKernel kernel,
        OpSpec spec, Tensor?[] inputs, bool[] wanted, int seed)
    {
        var leaves = inputs.Select((t, slot) => wanted[slot] ? t!.detach().requires_grad_(true) : t).ToList();
        var output = kernel.Forward(spec, leaves);
        manual_seed(seed);
        var error = randn_like(output);
        var wantedSlots = Enumerable.Range(0, inputs.Length).Where(slot => wanted[slot]).ToList();
        var expected = autograd.grad([output], wantedSlots.Select(slot => leaves[slot]!).ToList(), [error]);
        using var _ = no_grad();
        var closedForm = ClosedForms.For(spec)!;
        var products = closedForm.Backward(spec, inputs, kernel.Forward(spec, inputs), error, wanted);
        if (closedForm is IKeepingClosedForm keeping) AssertKeptProductsEqual(keeping, kernel, spec, inputs, error, wanted, products);
        return (error, wantedSlots, expected, products);
    }

    /// <summary>
    /// A keeping closed form's forward pass makes the kernel's output bit for bit, and its products from what it kept are
    /// those it computes without them: Z-IL takes the first, the checks above hold the second to autograd.
    /// </summary>
    private static void AssertKeptProductsEqual(IKeepingClosedForm keeping, IKernel kernel, OpSpec spec, Tensor?[] inputs, Tensor error,
        bool[] wanted, Tensor?[] products)
    {
        var (output, kept) = keeping.Forward(spec, inputs);
        Assert.True(output.Equals(kernel.Forward(spec, inputs)), $"{spec.OpType}: the keeping forward pass differs from the kernel's");
        var fromKept = keeping.Backward(spec, inputs, error, wanted, kept);
        for (int slot = 0; slot < products.Length; slot++)
            Assert.True(products[slot] is null ? fromKept[slot] is null : fromKept[slot]!.Equals(products[slot]!),
                $"{spec.OpType} input {slot}: the products from the kept values differ");
    }

    /// <summary>
    /// Asserts both that the products are autograd's bit for bit and that each has the strides autograd's backward node
    /// hands to the input's producer in backprop's graph, where no leaf restrides it: the next vertex's error, which a later
    /// reduction (a bias's sum over the batch) adds up in the order its layout gives.
    /// </summary>
    public static void AssertEqualsAutograd(IKernel kernel, OpSpec spec, Tensor?[] inputs, bool[] wanted)
    {
        AssertBitwiseAutograd(kernel, spec, inputs, wanted);
        AssertLayoutOfAutograd(kernel, spec, inputs, wanted);
    }

    /// <summary>A random input from <paramref name="seed"/>, in a transposed (column-major) layout when asked, since the layout
    /// of a product follows its input's.</summary>
    public static Tensor Input(long[] shape, Precision precision, int seed, bool transposed)
    {
        manual_seed(seed);
        var dtype = precision.ToScalarType();
        if (!transposed || shape.Length < 2) return randn(shape, dtype: dtype);
        long[] swapped = [.. shape[..^2], shape[^1], shape[^2]];
        return randn(swapped, dtype: dtype).transpose(-1, -2);
    }

    /// <summary>The seeds 1 to <paramref name="count"/>, each in float64 and float32: the random cases of a closed form's test.</summary>
    public static IEnumerable<object[]> SeedsInBothPrecisions(int count) =>
        from precision in new[] { Precision.Float64, Precision.Float32 }
        from seed in Enumerable.Range(1, count)
        select new object[] { seed, precision };

    /// <summary>The inputs' shapes (null where not given), as <see cref="IClosedForm.Covers"/> reads them.</summary>
    public static long[]?[] Shapes(IReadOnlyList<Tensor?> inputs) => inputs.Select(t => t?.shape).ToArray();
}
