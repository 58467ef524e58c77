using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Cast of data to a floating-point type. The trainer computes every float type in its own precision, so the
/// cast keeps the values, except that a target narrower than that precision (float16, bfloat16, or float32 in
/// a float64 trainer) rounds them as the served model would. Integer and bool targets are not differentiable
/// and are refused for data; static tensors cast between any numeric types (<see cref="ElementCast"/>).
/// </summary>
public sealed record CastSpec(DataType To) : OpSpec
{
    public override string OpType => "Cast";
    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Input(inputs, 0, "input");
}

public sealed class CastMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Cast";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 6, 9, 13, 19, 21];

    public OpSpec Map(NodeContext node)
    {
        DataType to = ReadTarget(node);
        if (!ElementCast.IsFloatingPoint(to))
            throw node.Fail($"casting data or a trainable tensor to {to} is not supported: only float16, bfloat16, float and double are " +
                $"differentiable");
        return new CastSpec(to);
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        DataType to = ReadTarget(node);
        var input = inputs[0] ?? throw node.Fail("input 'input' is required");
        return new HostTensor(to, input.Shape, input.Values.Select(v => ElementCast.Convert(v, to)).ToArray());
    }

    private static DataType ReadTarget(NodeContext node)
    {
        var a = node.Attributes;
        if (node.SinceVersion < 6) throw node.Fail("Cast-1 (target type as a string) is not supported");
        if (!a.Has("to")) throw node.Fail("attribute 'to' is required");
        var to = (DataType)a.Int("to", 0);
        // `saturate` only changes conversions to the float8 types, which are refused below.
        if (node.SinceVersion >= 19) a.Ignore("saturate");
        a.RejectUnknown();
        if (!ElementCast.IsSupported(to)) throw node.Fail($"cast to {to} is not supported");
        return to;
    }
}
