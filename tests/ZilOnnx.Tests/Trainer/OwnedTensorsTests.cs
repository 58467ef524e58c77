using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer;

/// <summary>
/// Tensors made from .NET arrays (batches, a model's parameters, the allreduced updates) live in libtorch's own,
/// 64-byte aligned memory, not in the pinned buffer TorchSharp copies an array into: libtorch's vectorized kernels
/// round float sums differently for data at another alignment, which made two runs of the same training differ in
/// their last bits (and relaxed Z-IL's float32 trajectory drift past its bound in one run out of three).
/// </summary>
public sealed class OwnedTensorsTests
{
    [Fact]
    public void A_batch_owns_aligned_memory_and_keeps_its_values_when_the_array_changes()
    {
        var values = Enumerable.Range(0, 3 * 5).Select(i => (float)i / 7).ToArray();
        using var batch = new HostBatch.Part(values, [3, 5]).ToTensor(CPU);

        AssertAligned(batch, "the batch");
        Array.Fill(values, -1f);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (float)i / 7), batch.data<float>().ToArray());
    }

    [Theory]
    [InlineData(Precision.Float32)]
    [InlineData(Precision.Float64)]
    public void A_models_parameters_own_aligned_memory(Precision precision)
    {
        using var model = Fixtures.Model("lenet5", "ce", precision);
        foreach (var (name, parameter) in model.Parameters) AssertAligned(parameter, $"parameter '{name}'");
    }

    private static void AssertAligned(Tensor t, string what)
    {
        long address = t.dtype switch
        {
            ScalarType.Float32 => (long)t.storage<float>().data_ptr(),
            _ => (long)t.storage<double>().data_ptr(),
        };
        Assert.True(address % 64 == 0, $"{what}: data at {address:X}, not 64-byte aligned");
    }
}
