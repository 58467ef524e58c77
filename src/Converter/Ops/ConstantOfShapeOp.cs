using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// ConstantOfShape: a tensor of the given (static) shape filled with the one-element `value` attribute, float 0
/// when absent. Its input is a shape, so it is always evaluated at conversion time.
/// </summary>
public sealed class ConstantOfShapeMapping : IOperatorMapping, IStaticEvaluation
{
    public string OpType => "ConstantOfShape";
    public bool MapsData => false;
    public IReadOnlyList<int> SinceVersions { get; } = [9, 20, 21];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => InputRole.Static;

    public OpSpec Map(NodeContext node) =>
        throw node.Fail("input 'input' (the shape) must be a constant, but it depends on the data or is trainable");

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        HostTensor shapeTensor = inputs.Count > 0 && inputs[0] is { } s ? s : throw node.Fail("input 'input' (the shape) is required");
        if (shapeTensor.Rank != 1) throw node.Fail($"the shape input must be 1-D, got {ShapeMath.Format(shapeTensor.Shape)}");
        long[] shape = shapeTensor.ToInt64Array();
        if (shape.Any(d => d < 0)) throw node.Fail($"the shape {ShapeMath.Format(shape)} has a negative dimension");

        var fill = HostTensor.Scalar(TensorProto.Types.DataType.Float, 0);
        if (node.Attributes.Tensor("value") is { } t)
        {
            fill = TensorCodec.Decode(t, node.File);
            if (fill.Count != 1) throw node.Fail($"attribute 'value' must hold one element, it holds {fill.Count}");
        }
        node.Attributes.RejectUnknown();
        double[] values = HostTensor.NewComputedValues(shape);
        Array.Fill(values, fill.Values[0]);
        return new HostTensor(fill.ElementType, shape, values);
    }
}
