using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// A batch gathered on the host and already in its tensors' element types (<see cref="DataSet.Prepare"/>), so that
/// turning it into tensors is a copy (<see cref="OwnedTensors"/>). Plain arrays: building one touches no TorchSharp state.
/// </summary>
public sealed record HostBatch(HostBatch.Part Inputs, HostBatch.Part Targets)
{
    /// <summary>One array of the batch: float[], double[] or long[] values, row-major in the given shape (<see cref="SampleArray.Gather"/>).</summary>
    public sealed record Part(Array Values, long[] Shape)
    {
        public Tensor ToTensor(Device device) => OwnedTensors.FromArray(Values, Shape, device);
    }
}
