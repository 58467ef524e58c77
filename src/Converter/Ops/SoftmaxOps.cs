using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Softmax or LogSoftmax. Before opset 13 the input is coerced to 2-D at <see cref="Axis"/> and normalised
/// over everything from that axis on; from opset 13 it is normalised along the one axis.
/// </summary>
public sealed record SoftmaxSpec(bool Log, long Axis, bool CoerceTo2D) : OpSpec
{
    public override string OpType => Log ? "LogSoftmax" : "Softmax";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "input");
        ShapeMath.Axis(Axis, Math.Max(1, x.Length), $"{OpType} axis");
        return x;
    }
}

public sealed class SoftmaxMapping(bool log) : IOperatorMapping, IOperatorFamily
{
    public static IEnumerable<IOperatorMapping> Members => [new SoftmaxMapping(log: false), new SoftmaxMapping(log: true)];

    public string OpType => log ? "LogSoftmax" : "Softmax";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 11, 13];

    public OpSpec Map(NodeContext node)
    {
        bool legacy = node.SinceVersion < 13;
        long axis = node.Attributes.Int("axis", legacy ? 1 : -1);
        // Versions 1 and 11 differ only in documenting negative axes (counted from the back). Version 1 states
        // no range, exporters of its time wrote axis = -1 for the last axis, and the ONNX backend tests and
        // ONNX Runtime read it that way, so a negative axis is accepted at every version.
        node.Attributes.RejectUnknown();
        return new SoftmaxSpec(log, axis, legacy);
    }
}
