using System.Buffers.Binary;
using Google.Protobuf;
using Xunit;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Cli.Inference;

/// <summary>
/// The ONNX backend conformance cases of the Debian package libonnx-testdata, and a small decoder for their
/// serialized TensorProto files. The decoder is deliberately independent of the project's own tensor loading,
/// so that these tests check ONNX Runtime against the files and nothing else.
/// </summary>
internal static class OnnxTestData
{
    private const string Root = "/usr/share/libonnx-testdata/data";

    /// <summary>The folder of one case, such as <c>node/test_relu</c>. A missing folder fails the test; it never skips it.</summary>
    public static string Case(string relativeFolder)
    {
        string folder = Path.Combine(Root, relativeFolder);
        if (!File.Exists(Path.Combine(folder, "model.onnx")))
            Assert.Fail($"{folder}/model.onnx is missing: install the Debian package libonnx-testdata (apt-get install -y libonnx-testdata)");
        return folder;
    }

    /// <summary>Reads <c>test_data_set_0/input_N.pb</c> (or output_N.pb) files in N order.</summary>
    public static List<HostTensor> ReadTensors(string caseFolder, string prefix)
    {
        string dataSet = Path.Combine(caseFolder, "test_data_set_0");
        var tensors = new List<HostTensor>();
        for (int n = 0; File.Exists(Path.Combine(dataSet, $"{prefix}_{n}.pb")); n++)
            tensors.Add(Decode(TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dataSet, $"{prefix}_{n}.pb")))));
        Assert.True(tensors.Count > 0, $"{dataSet} holds no {prefix}_0.pb");
        return tensors;
    }

    /// <summary>Decodes the numeric element types these cases use, from raw_data or from the typed fields.</summary>
    public static HostTensor Decode(TensorProto proto)
    {
        DataType type = proto.DataType switch
        {
            (int)DataType.Float => DataType.Float,
            (int)DataType.Double => DataType.Double,
            (int)DataType.Int64 => DataType.Int64,
            (int)DataType.Int32 => DataType.Int32,
            _ => throw new NotSupportedException($"test helper: TensorProto '{proto.Name}' has data_type {proto.DataType}"),
        };
        long[] shape = proto.Dims.ToArray();
        double[] values = proto.RawData.IsEmpty ? FromTypedField(proto, type) : FromRawData(proto.RawData, type);
        return new HostTensor(type, shape, values);
    }

    private static double[] FromRawData(ByteString raw, DataType type)
    {
        ReadOnlySpan<byte> bytes = raw.Span;
        return type switch
        {
            DataType.Float => Enumerable.Range(0, bytes.Length / 4).Select(i => (double)BinaryPrimitives.ReadSingleLittleEndian(raw.Span[(4 * i)..])).ToArray(),
            DataType.Double => Enumerable.Range(0, bytes.Length / 8).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(raw.Span[(8 * i)..])).ToArray(),
            DataType.Int64 => Enumerable.Range(0, bytes.Length / 8).Select(i => (double)BinaryPrimitives.ReadInt64LittleEndian(raw.Span[(8 * i)..])).ToArray(),
            _ => Enumerable.Range(0, bytes.Length / 4).Select(i => (double)BinaryPrimitives.ReadInt32LittleEndian(raw.Span[(4 * i)..])).ToArray(),
        };
    }

    private static double[] FromTypedField(TensorProto proto, DataType type) => type switch
    {
        DataType.Float => proto.FloatData.Select(v => (double)v).ToArray(),
        DataType.Double => proto.DoubleData.ToArray(),
        DataType.Int64 => proto.Int64Data.Select(v => (double)v).ToArray(),
        _ => proto.Int32Data.Select(v => (double)v).ToArray(),
    };
}
