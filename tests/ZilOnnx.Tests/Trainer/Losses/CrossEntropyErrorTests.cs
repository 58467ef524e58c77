using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Losses;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Losses;

/// <summary>
/// ce's value and output error for integer labels along the last axis come from one scripted call of the operators autograd
/// runs (CrossEntropyLoss.ValueAndOutputError): they must equal, bit for bit, the value and the negated gradient that an
/// autograd call over <see cref="CrossEntropyLoss.Value"/> gives, in float64 and float32, for both reductions, int32 and
/// int64 labels, a classifier's [B, C] and a token model's [B, T, C]. Tolerance 0: Z-IL's bitwise equality with backprop
/// starts at this error.
/// </summary>
public sealed class CrossEntropyErrorTests
{
    public static IEnumerable<object[]> Cases() =>
        from shape in new[] { "8x10", "3x5x7", "1x2" }
        from reduction in new[] { LossReduction.Sample, LossReduction.Mean }
        from dtype in new[] { ScalarType.Float64, ScalarType.Float32 }
        from labels in new[] { ScalarType.Int64, ScalarType.Int32 }
        select new object[] { shape, reduction, dtype, labels };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_scripted_error_is_autograds_bit_for_bit(string shape, LossReduction reduction, ScalarType dtype, ScalarType labels)
    {
        long[] sizes = [.. shape.Split('x').Select(long.Parse)];
        var generator = new Generator(3);
        using var logits = randn(sizes, dtype, generator: generator).mul_(4);
        using var target = randint(0, sizes[^1], sizes[..^1], dtype: labels, generator: generator);
        var loss = new CrossEntropyLoss(reduction);

        var (value, error) = loss.ValueAndOutputError(logits, target);
        using var leaf = logits.detach().requires_grad_(true);
        using var expectedValue = loss.Value(leaf, target);
        expectedValue.backward();
        using var expectedError = leaf.grad!.neg();

        Assert.Equal(expectedValue.ToDouble(), value.ToDouble());
        Assert.False(value.requires_grad || error.requires_grad, "the results hold no graph");
        Assert.Equal(logits.shape, error.shape);
        Assert.True(error.equal(expectedError).all().item<bool>(), $"max |difference| {(error - expectedError).abs().max().ToDouble():E3}");
    }

    [Fact]
    public void Other_targets_and_layouts_take_the_autograd_call_with_the_same_result()
    {
        // Smoothing, probability rows and a class axis other than the last: the scripted path does not apply, and the
        // result is still the negated gradient of Value.
        var generator = new Generator(4);
        using var images = randn([2, 3, 4, 4], generator: generator);
        using var pixelLabels = randint(0, 3, [2, 4, 4], generator: generator);
        using var rows = softmax(randn([5, 6], generator: generator), 1);
        using var logits = randn([5, 6], generator: generator);
        foreach (var (loss, output, target) in new (CrossEntropyLoss, Tensor, Tensor)[]
                 {
                     (new CrossEntropyLoss(labelSmoothing: 0.1), logits, rows.argmax(1)),
                     (new CrossEntropyLoss(), logits, rows),
                     (new CrossEntropyLoss(), images, pixelLabels),
                 })
        {
            var (_, error) = loss.ValueAndOutputError(output, target);
            using var leaf = output.detach().requires_grad_(true);
            loss.Value(leaf, target).backward();
            Assert.True(error.equal(leaf.grad!.neg()).all().item<bool>());
        }
    }
}
