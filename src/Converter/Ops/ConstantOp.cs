using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>A Constant node: always evaluated at conversion time, never a vertex.</summary>
public sealed class ConstantMapping : IOperatorMapping, IStaticEvaluation
{
    public string OpType => "Constant";
    public bool MapsData => false;
    public IReadOnlyList<int> SinceVersions { get; } = [1, 9, 11, 12, 13, 19, 21];

    public OpSpec Map(NodeContext node) => throw node.Fail("a Constant has no data input");

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var a = node.Attributes;
        HostTensor? value = null;
        if (a.Tensor("value") is { } t) value = TensorCodec.Decode(t, node.File);
        else if (a.Has("value_float")) value = HostTensor.Scalar(TensorProto.Types.DataType.Float, a.Float("value_float", 0f));
        else if (a.Floats("value_floats") is { } fs) value = new HostTensor(TensorProto.Types.DataType.Float, [fs.Length],
            fs.Select(f => (double)f).ToArray());
        else if (a.Has("value_int")) value = HostTensor.Scalar(TensorProto.Types.DataType.Int64, a.Int("value_int", 0));
        else if (a.Ints("value_ints") is { } ints) value = HostTensor.Int64Vector(ints);
        if (value == null) throw node.Fail("no supported value attribute (value, value_float(s), value_int(s)); sparse and string " +
            "constants are not supported");
        a.RejectUnknown();
        return value;
    }
}
