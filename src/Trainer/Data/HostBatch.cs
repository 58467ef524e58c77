using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// A batch gathered on the host and already in its tensors' element types (<see cref="DataSet.Prepare"/>), so that
/// turning it into tensors is a copy (<see cref="OwnedTensors"/>). Plain arrays: building one touches no TorchSharp state.
/// </summary>
public sealed record HostBatch(HostBatch.Part Inputs, HostBatch.Part Targets)
{
    /// <summary>One array of the batch: float[], double[] or long[] values, row-major in the given shape
    /// (<see cref="SampleArray.Gather"/>).</summary>
    public sealed record Part(Array Values, long[] Shape)
    {
        public Tensor ToTensor(Device device) => OwnedTensors.FromArray(Values, Shape, device);

        /// <summary>
        /// As a float64 (or int64 ids) host tensor, the form ONNX Runtime's feed converts to the input's own type; the part
        /// must have been gathered as float64 or int64.
        /// </summary>
        public HostTensor ToHostTensor() => Values switch
        {
            long[] ids => new HostTensor(DataType.Int64, Shape, Array.ConvertAll(ids, v => (double)v)),
            double[] values => new HostTensor(DataType.Double, Shape, values),
            _ => throw new InvalidOperationException($"a batch part for ONNX Runtime is gathered as float64 or int64, not " +
                $"{Values.GetType().Name}"),
        };
    }
}
