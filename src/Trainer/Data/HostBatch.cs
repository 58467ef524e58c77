using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// A batch gathered on the host and already in its tensors' element types (<see cref="DataSet.Prepare"/>), so that
/// turning it into tensors is a copy (<see cref="OwnedTensors"/>). Plain arrays: building one touches no TorchSharp state.
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

        public Tensor ToTensor(Device device) => OwnedTensors.FromArray(Values, Shape, device);
    }
}
