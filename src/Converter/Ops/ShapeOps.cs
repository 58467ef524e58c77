using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>Flatten to 2-D: [prod(dims before axis), prod(dims from axis)]. Negative axes count from the end.</summary>
public sealed record FlattenSpec(long Axis) : OpSpec
{
    public override string OpType => "Flatten";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        long[] x = Input(inputs, 0, "input");
        if (Axis > x.Length || Axis < -x.Length) throw new ShapeException($"Flatten axis {Axis} is out of range for rank {x.Length}");
        return OutputShape(x);
    }

    public long[] OutputShape(IReadOnlyList<long> input)
    {
        long axis = Axis < 0 ? Axis + input.Count : Axis;
        long outer = 1, inner = 1;
        for (int i = 0; i < input.Count; i++) { if (i < axis) outer *= input[i]; else inner *= input[i]; }
        return [outer, inner];
    }
}

public sealed class FlattenMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Flatten";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 9, 11, 13, 21];

    public OpSpec Map(NodeContext node)
    {
        long axis = node.Attributes.Int("axis", 1);
        if (axis < 0 && node.SinceVersion < 11) throw node.Fail("negative 'axis' needs opset 11");
        node.Attributes.RejectUnknown();
        return new FlattenSpec(axis);
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (FlattenSpec)Map(node);
        return inputs[0]!.WithShape(spec.OutputShape(inputs[0]!.Shape));
    }
}

/// <summary>
/// Reshape to a shape given at conversion time. 0 copies the input's dimension (unless AllowZero), -1 is
/// inferred; both are resolved against the actual input shape.
/// </summary>
public sealed record ReshapeSpec(long[] Shape, bool AllowZero) : OpSpec
{
    public override string OpType => "Reshape";

    public override long[] InferShape(IReadOnlyList<long[]?> inputs)
    {
        try { return OutputShape(Input(inputs, 0, "data")); }
        catch (ArgumentException e) { throw new ShapeException(e.Message); }
    }

    public long[] OutputShape(IReadOnlyList<long> input)
    {
        var result = new long[Shape.Length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < Shape.Length; i++)
        {
            long d = Shape[i];
            if (d == 0 && !AllowZero)
            {
                if (i >= input.Count) throw new ArgumentException($"Reshape: 0 at axis {i} but the input has rank {input.Count}");
                d = input[i];
            }
            if (d == -1)
            {
                if (inferred >= 0) throw new ArgumentException("Reshape: more than one -1 in the target shape");
                inferred = i;
                continue;
            }
            if (d < 0) throw new ArgumentException($"Reshape: invalid dimension {d}");
            result[i] = d;
            known *= d;
        }
        long total = HostTensor.ElementCount(input);
        if (inferred >= 0)
        {
            if (known == 0 || total % known != 0)
                throw new ArgumentException($"Reshape: cannot infer -1 reshaping [{string.Join(",", input)}] " +
                    $"to [{string.Join(",", Shape)}]");
            result[inferred] = total / known;
        }
        else if (known != total)
            throw new ArgumentException($"Reshape: [{string.Join(",", input)}] has {total} elements, [{string.Join(",", result)}] has " +
                $"{known}");
        return result;
    }
}

public sealed class ReshapeMapping : IOperatorMapping, IParameterTransform, IStaticEvaluation
{
    public string OpType => "Reshape";
    public IReadOnlyList<int> SinceVersions { get; } = [1, 5, 13, 14, 19, 21];

    public InputRole RoleOf(int inputIndex, int sinceVersion) => inputIndex == 0 ? InputRole.Differentiable : InputRole.Static;

    public OpSpec Map(NodeContext node)
    {
        if (node.SinceVersion < 5) throw node.Fail("Reshape-1 (shape as an attribute) is not supported");
        HostTensor shape = node.StaticInput(1) ?? throw node.Fail("input 'shape' is required");
        bool allowZero = node.Attributes.Int("allowzero", 0) != 0;
        node.Attributes.RejectUnknown();
        return new ReshapeSpec(shape.ToInt64Array(), allowZero);
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (ReshapeSpec)Map(node);
        try { return inputs[0]!.WithShape(spec.OutputShape(inputs[0]!.Shape)); }
        catch (ArgumentException e) { throw node.Fail(e.Message); }
    }
}
