using ZilOnnx.Trainer.Data;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>
/// A batch's tensors live in libtorch's own, aligned memory, not on the .NET arrays they were built from: libtorch's
/// vectorized kernels round float32 sums differently for data the garbage collector placed at another alignment,
/// which made two runs of the same training differ in their last bits (and relaxed Z-IL's trajectory drift past its
/// float32 bound in one run out of three).
/// </summary>
public sealed class HostBatchTests
{
    [Fact]
    public void Tensors_own_aligned_memory_and_keep_their_values_when_the_array_changes()
    {
        var values = Enumerable.Range(0, 3 * 5).Select(i => (float)i / 7).ToArray();
        var part = new HostBatch.Part(values, [3, 5]);
        using var batch = part.ToTensor(CPU);

        long address = (long)batch.storage<float>().data_ptr();
        Assert.True(address % 64 == 0, $"the batch's data is at {address:X}, not 64-byte aligned");
        Array.Fill(values, -1f);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (float)i / 7), batch.data<float>().ToArray());
    }
}
