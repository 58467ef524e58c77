using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// An elementwise function of one input. <see cref="Alpha"/> and <see cref="Beta"/> hold the node's attributes
/// with the spec's defaults applied: LeakyRelu/Elu/Celu alpha; Selu alpha and gamma (as Beta); HardSigmoid alpha
/// and beta. Functions without attributes leave both 0.
/// </summary>
public sealed record UnarySpec(UnaryFunction Function, double Alpha = 0, double Beta = 0) : OpSpec
{
    public override string OpType => Function == UnaryFunction.GeluTanh ? "Gelu" : Function.ToString();
    public override long[] InferShape(IReadOnlyList<long[]?> inputs) => Input(inputs, 0, "X");
}

/// <summary>
/// LeakyRelu, Elu, Selu, Celu, Softplus, Softsign, HardSigmoid, HardSwish, Gelu, Erf, Neg, Exp, Log, Sqrt, Abs and
/// Reciprocal. Their versions differ only in the element types they admit (and in the consumed_inputs attribute of
/// version 1, which no supported opset reaches), so one mapping serves every version. Constants are evaluated at
/// conversion time (Neg and Abs also appear in shape arithmetic), except Erf and Gelu.
/// </summary>
public sealed class UnaryMapping(UnaryFunction function, params int[] sinceVersions) : IOperatorMapping, IStaticEvaluation, IOperatorFamily
{
    public static IEnumerable<IOperatorMapping> Members =>
    [
        new UnaryMapping(UnaryFunction.LeakyRelu, 1, 6, 16),
        new UnaryMapping(UnaryFunction.Elu, 1, 6, 22),
        new UnaryMapping(UnaryFunction.Selu, 1, 6, 22),
        new UnaryMapping(UnaryFunction.Celu, 12),
        new UnaryMapping(UnaryFunction.Softplus, 1, 22),
        new UnaryMapping(UnaryFunction.Softsign, 1, 22),
        new UnaryMapping(UnaryFunction.HardSigmoid, 1, 6, 22),
        new UnaryMapping(UnaryFunction.HardSwish, 14, 22),
        new UnaryMapping(UnaryFunction.Gelu, 20),
        new UnaryMapping(UnaryFunction.Erf, 9, 13),
        new UnaryMapping(UnaryFunction.Neg, 1, 6, 13),
        new UnaryMapping(UnaryFunction.Exp, 1, 6, 13),
        new UnaryMapping(UnaryFunction.Log, 1, 6, 13),
        new UnaryMapping(UnaryFunction.Sqrt, 1, 6, 13),
        new UnaryMapping(UnaryFunction.Abs, 1, 6, 13),
        new UnaryMapping(UnaryFunction.Reciprocal, 1, 6, 13),
    ];

    // Spec defaults, as the float32 attribute values the spec writes.
    private const float SeluAlpha = 1.67326319217681884765625f;
    private const float SeluGamma = 1.05070102214813232421875f;

    public string OpType => function == UnaryFunction.GeluTanh ? "Gelu" : function.ToString();
    public IReadOnlyList<int> SinceVersions { get; } = sinceVersions;

    public OpSpec Map(NodeContext node)
    {
        var a = node.Attributes;
        UnarySpec spec = function switch
        {
            UnaryFunction.LeakyRelu => new(function, a.Float("alpha", 0.01f)),
            UnaryFunction.Elu or UnaryFunction.Celu => new(function, a.Float("alpha", 1.0f)),
            UnaryFunction.Selu => new(function, a.Float("alpha", SeluAlpha), a.Float("gamma", SeluGamma)),
            UnaryFunction.HardSigmoid => new(function, a.Float("alpha", 0.2f), a.Float("beta", 0.5f)),
            UnaryFunction.Gelu => a.String("approximate", "none") switch
            {
                "none" => new(UnaryFunction.Gelu),
                "tanh" => new(UnaryFunction.GeluTanh),
                var other => throw node.Fail($"approximate = '{other}' is not supported (the spec defines 'none' and 'tanh')"),
            },
            _ => new(function),
        };
        // Celu divides by alpha; alpha = 0 has no meaning there.
        if (spec.Function == UnaryFunction.Celu
            && spec.Alpha == 0) throw node.Fail("Celu alpha = 0 is not defined (the function divides by alpha)");
        a.RejectUnknown();
        return spec;
    }

    public HostTensor EvaluateStatic(NodeContext node, IReadOnlyList<HostTensor?> inputs)
    {
        var spec = (UnarySpec)Map(node);
        if (!UnaryFunctionMath.CanEvaluate(spec.Function))
            throw node.Fail("all inputs are constant, but this operator is not evaluated at conversion time");
        HostTensor x = inputs.Count > 0 && inputs[0] is { } t ? t : throw node.Fail("input 'X' is required");
        var values = x.Values.Select(v => ElementCast.Convert(UnaryFunctionMath.Apply(spec.Function, spec.Alpha, spec.Beta, v),
            x.ElementType)).ToArray();
        return new HostTensor(x.ElementType, x.Shape, values);
    }
}
