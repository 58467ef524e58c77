using Google.Protobuf;
using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Tests.Converter.Onnx;

/// <summary>Builds small ONNX models in code, so each test shows exactly the structure it is about.</summary>
internal sealed class ModelBuilder
{
    private readonly ModelProto _model;

    public ModelBuilder(long irVersion = 8, long opset = 13)
    {
        _model = new ModelProto { IrVersion = irVersion, ProducerName = "zilonnx-tests", Graph = new GraphProto { Name = "test" } };
        if (opset > 0) _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    public GraphProto Graph => _model.Graph;

    public ModelBuilder Opset(string domain, long version)
    {
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        return this;
    }

    public ModelBuilder Input(string name, params long[] shape)
    {
        _model.Graph.Input.Add(FloatValueInfo(name, shape));
        return this;
    }

    public ModelBuilder Input(string name, TensorProto.Types.DataType elementType, params long[] shape)
    {
        var info = FloatValueInfo(name, shape);
        info.Type.TensorType.ElemType = (int)elementType;
        _model.Graph.Input.Add(info);
        return this;
    }

    public ModelBuilder Output(string name, params long[] shape)
    {
        _model.Graph.Output.Add(FloatValueInfo(name, shape));
        return this;
    }

    public ModelBuilder Initializer(TensorProto tensor)
    {
        _model.Graph.Initializer.Add(tensor);
        return this;
    }

    public ModelBuilder Initializer(string name, long[] dims, params float[] values) => Initializer(FloatTensor(name, dims, values));

    public ModelBuilder Node(string opType, string[] inputs, string[] outputs, string? name = null, string domain = "")
    {
        _model.Graph.Node.Add(NewNode(opType, inputs, outputs, name, domain));
        return this;
    }

    public ModelProto Build() => _model.Clone();

    public static NodeProto NewNode(string opType, string[] inputs, string[] outputs, string? name = null, string domain = "")
    {
        var node = new NodeProto { OpType = opType, Name = name ?? "", Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    public static ValueInfoProto FloatValueInfo(string name, params long[] shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        foreach (long d in shape) tensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    /// <summary>A FLOAT tensor with its values in raw_data, the way exporters write weights.</summary>
    public static TensorProto FloatTensor(string name, long[] dims, params float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return RawTensor(name, TensorProto.Types.DataType.Float, dims, bytes);
    }

    public static TensorProto RawTensor(string name, TensorProto.Types.DataType type, long[] dims, byte[] raw)
    {
        var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        t.Dims.AddRange(dims);
        return t;
    }

    /// <summary>x -> Relu -> y: the smallest valid model.</summary>
    public static ModelBuilder Relu() =>
        new ModelBuilder().Input("x", 1, 4).Node("Relu", ["x"], ["y"], "relu").Output("y", 1, 4);

    /// <summary>y = x * w, with w an initializer, for tests about weights.</summary>
    public static ModelBuilder ScaleByWeight(TensorProto weight) =>
        new ModelBuilder().Input("x", 2, 3).Initializer(weight).Node("Mul", ["x", weight.Name], ["y"], "scale").Output("y", 2, 3);
}
