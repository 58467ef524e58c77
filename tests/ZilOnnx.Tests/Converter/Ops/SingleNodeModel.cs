using Google.Protobuf;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Tests.Converter.Onnx;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// A model of one node, x -> op -> y, with its attributes and constant inputs, for cases the conformance data does
/// not hold. The output's shape is left undeclared, so that neither side is told the answer.
/// </summary>
internal sealed class SingleNodeModel
{
    private readonly ModelProto _model;
    private readonly NodeProto _node;

    public SingleNodeModel(string opType, int opset, long[] inputShape, params TensorProto[] constantInputs)
    {
        var builder = new ModelBuilder(irVersion: 8, opset: opset).Input("x", inputShape);
        foreach (var t in constantInputs) builder.Initializer(t);
        _model = builder.Build();
        _node = ModelBuilder.NewNode(opType, ["x", .. constantInputs.Select(t => t.Name)], ["y"], "node");
        _model.Graph.Node.Add(_node);
        var output = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
        _model.Graph.Output.Add(new ValueInfoProto { Name = "y", Type = new TypeProto { TensorType = output } });
    }

    public SingleNodeModel Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        _node.Attribute.Add(a);
        return this;
    }

    public SingleNodeModel Int(string name, long value)
    {
        _node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });
        return this;
    }

    public SingleNodeModel Float(string name, float value)
    {
        _node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });
        return this;
    }

    public SingleNodeModel Floats(string name, params float[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(values);
        _node.Attribute.Add(a);
        return this;
    }

    public SingleNodeModel String(string name, string value)
    {
        _node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });
        return this;
    }

    public ModelProto Build() => _model.Clone();

    public override string ToString() =>
        $"{_node.OpType}-{_model.OpsetImport[0].Version} x[{string.Join(",", _model.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimValue))}] " +
        string.Join(" ", _node.Attribute.Select(a => a.Type switch
        {
            AttributeProto.Types.AttributeType.Ints => $"{a.Name}=[{string.Join(",", a.Ints)}]",
            AttributeProto.Types.AttributeType.String => $"{a.Name}={a.S.ToStringUtf8()}",
            AttributeProto.Types.AttributeType.Float => $"{a.Name}={a.F}",
            AttributeProto.Types.AttributeType.Floats => $"{a.Name}=[{string.Join(",", a.Floats)}]",
            _ => $"{a.Name}={a.I}",
        }));
}
