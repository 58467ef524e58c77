using Google.Protobuf;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Tests.Converter.Onnx;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>Building blocks for small graphs of glue operators: nodes with attributes, integer and float constants.</summary>
internal static class GlueGraph
{
    public static ModelBuilder Op(this ModelBuilder builder, string opType, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = ModelBuilder.NewNode(opType, inputs, [output], output);
        node.Attribute.AddRange(attributes);
        builder.Graph.Node.Add(node);
        return builder;
    }

    public static ModelBuilder Int64s(this ModelBuilder builder, string name, params long[] values) =>
        builder.Initializer(Int64Tensor(name, [values.Length], values));

    public static ModelBuilder Int64Scalar(this ModelBuilder builder, string name, long value) =>
        builder.Initializer(Int64Tensor(name, [], [value]));

    public static TensorProto Int64Tensor(string name, long[] dims, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.AddRange(dims);
        t.Int64Data.AddRange(values);
        return t;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Tensor(string name, TensorProto value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
}
