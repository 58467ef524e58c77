using ZilOnnx.Converter.Tensors;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// A batch gathered on the host and already in its tensors' element types (<see cref="DataSet.Prepare"/>), so that
/// turning it into tensors is a single copy. Plain arrays: building one touches no TorchSharp state.
/// </summary>
public sealed record HostBatch(HostBatch.Part Inputs, HostBatch.Part Targets)
{
    /// <summary>One array of the batch: float[], double[] or long[] values, row-major in the given shape.</summary>
    public sealed record Part(Array Values, long[] Shape)
    {
        /// <summary>
        /// Converts on the host: a C# cast from double rounds to nearest as libtorch's conversion does, and integers
        /// (ids, labels) are whole numbers, so the tensors are bitwise those of converting a float64 tensor.
        /// </summary>
        public static Part Of(HostTensor host, ScalarType type) => type switch
        {
            ScalarType.Float32 => new(Array.ConvertAll(host.Values, v => (float)v), host.Shape),
            ScalarType.Float64 => new(host.Values, host.Shape),
            ScalarType.Int64 => new(Array.ConvertAll(host.Values, v => (long)v), host.Shape),
            _ => throw new ArgumentException($"batches are float32, float64 or int64, not {type}"),
        };

        /// <summary>
        /// A tensor in memory of libtorch's own. A tensor made from a .NET array on the CPU would view the array where
        /// the garbage collector put it, aligned to 8 or 16 bytes only, and libtorch's vectorized kernels take another
        /// path (so round float32 sums in another order) for unaligned data: two runs on the same batch could differ
        /// in the last bits. Copying it once costs less than a kernel of the step and makes every run the same.
        /// </summary>
        public Tensor ToTensor(Device device)
        {
            using var view = Values switch
            {
                float[] f => tensor(f, Shape),
                double[] d => tensor(d, Shape),
                long[] l => tensor(l, Shape),
                _ => throw new InvalidOperationException($"unexpected batch array {Values.GetType()}"),
            };
            return view.to(device, copy: true);
        }
    }
}
