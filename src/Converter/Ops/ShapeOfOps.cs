using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Shape: the input's dimensions as an int64 vector; from opset 15 only those in [start, end), both counting
/// from the back when negative and clamped to the rank. Known from the input shape alone, so always static.
/// </summary>
public sealed class ShapeMapping : IOperatorMapping, IShapeEvaluation
{
    public string OpType => "Shape";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 13, 15, 19, 21];

    // The values never matter: an initializer read here stays a constant instead of becoming a parameter.
    public InputRole RoleOf(int inputIndex, int sinceVersion) => InputRole.Static;

    public OpSpec Map(NodeContext node) => throw node.Fail("Shape is evaluated at conversion time");

    public HostTensor EvaluateFromShapes(NodeContext node)
    {
        long[] shape = node.InputShape(0) ?? throw node.Fail("input 'data' is required");
        long start = 0, end = shape.Length;
        if (node.SinceVersion >= 15)
        {
            start = Clamp(node.Attributes.Int("start", 0), shape.Length);
            end = node.Attributes.Has("end") ? Clamp(node.Attributes.Int("end", 0), shape.Length) : shape.Length;
        }
        node.Attributes.RejectUnknown();
        return HostTensor.Int64Vector(shape[(int)start..(int)Math.Max(start, end)]);
    }

    private static long Clamp(long axis, int rank) => Math.Clamp(axis < 0 ? axis + rank : axis, 0, rank);
}

/// <summary>Size: the input's element count as an int64 scalar. Always static.</summary>
public sealed class SizeMapping : IOperatorMapping, IShapeEvaluation
{
    public string OpType => "Size";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 13, 19, 21];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => InputRole.Static;

    public OpSpec Map(NodeContext node) => throw node.Fail("Size is evaluated at conversion time");

    public HostTensor EvaluateFromShapes(NodeContext node)
    {
        long[] shape = node.InputShape(0) ?? throw node.Fail("input 'data' is required");
        node.Attributes.RejectUnknown();
        return HostTensor.Scalar(TensorProto.Types.DataType.Int64, HostTensor.ElementCount(shape));
    }
}
