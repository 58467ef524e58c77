// TEMPORARY minimal codec until the full one lands.
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
namespace ZilOnnx.Converter.Onnx;
public static class TensorCodec
{
    public static HostTensor Decode(TensorProto t, string file)
    {
        var dt = (TensorProto.Types.DataType)t.DataType;
        long[] dims = t.Dims.ToArray();
        long n = HostTensor.ElementCount(dims);
        double[] v = new double[n];
        var raw = t.RawData.Span;
        for (int i = 0; i < n; i++)
            v[i] = dt switch
            {
                TensorProto.Types.DataType.Float => raw.Length > 0 ? BitConverter.ToSingle(raw.Slice(4 * i, 4)) : t.FloatData[i],
                TensorProto.Types.DataType.Double => raw.Length > 0 ? BitConverter.ToDouble(raw.Slice(8 * i, 8)) : t.DoubleData[i],
                TensorProto.Types.DataType.Int64 => raw.Length > 0 ? BitConverter.ToInt64(raw.Slice(8 * i, 8)) : t.Int64Data[i],
                TensorProto.Types.DataType.Int32 => raw.Length > 0 ? BitConverter.ToInt32(raw.Slice(4 * i, 4)) : t.Int32Data[i],
                TensorProto.Types.DataType.Bool => raw.Length > 0 ? raw[i] : t.Int32Data[i],
                _ => throw new NotSupportedException(dt.ToString()),
            };
        return new HostTensor(dt, dims, v);
    }
    public static TensorProto Encode(string name, HostTensor tensor)
    {
        var t = new TensorProto { Name = name, DataType = (int)tensor.ElementType };
        t.Dims.AddRange(tensor.Shape);
        byte[] bytes;
        if (tensor.ElementType == TensorProto.Types.DataType.Float) bytes = tensor.Values.SelectMany(x => BitConverter.GetBytes((float)x)).ToArray();
        else if (tensor.ElementType == TensorProto.Types.DataType.Double) bytes = tensor.Values.SelectMany(BitConverter.GetBytes).ToArray();
        else bytes = tensor.Values.SelectMany(x => BitConverter.GetBytes((long)x)).ToArray();
        t.RawData = Google.Protobuf.ByteString.CopyFrom(bytes);
        return t;
    }
}
