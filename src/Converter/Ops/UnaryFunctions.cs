namespace ZilOnnx.Converter.Ops;

/// <summary>
/// The elementwise operators of one input whose attributes are at most two numbers. Each member is named after
/// its ONNX operator, except <see cref="GeluTanh"/>: Gelu with approximate = "tanh".
/// </summary>
public enum UnaryFunction
{
    LeakyRelu, Elu, Selu, Celu, Softplus, Softsign, HardSigmoid, HardSwish, Gelu, GeluTanh,
    Erf, Neg, Exp, Log, Sqrt, Abs, Reciprocal,
}

/// <summary>The spec's formulas on one number, for evaluating constants at conversion time.</summary>
public static class UnaryFunctionMath
{
    /// <summary>Whether <see cref="Apply"/> can compute the function (.NET has no erf, so Erf and Gelu cannot).</summary>
    public static bool CanEvaluate(UnaryFunction f) => f is not (UnaryFunction.Erf or UnaryFunction.Gelu or UnaryFunction.GeluTanh);

    /// <summary>f(x) as the ONNX spec writes it; <paramref name="alpha"/> and <paramref name="beta"/> as in
    /// <see cref="UnarySpec"/>.</summary>
    public static double Apply(UnaryFunction f, double alpha, double beta, double x) => f switch
    {
        UnaryFunction.LeakyRelu => x < 0 ? alpha * x : x,
        UnaryFunction.Elu => x < 0 ? alpha * (Math.Exp(x) - 1) : x,
        UnaryFunction.Selu => x <= 0 ? beta * (alpha * Math.Exp(x) - alpha) : beta * x,
        UnaryFunction.Celu => Math.Max(0, x) + Math.Min(0, alpha * (Math.Exp(x / alpha) - 1)),
        UnaryFunction.Softplus => Math.Log(Math.Exp(x) + 1),
        UnaryFunction.Softsign => x / (1 + Math.Abs(x)),
        UnaryFunction.HardSigmoid => Math.Max(0, Math.Min(1, alpha * x + beta)),
        UnaryFunction.HardSwish => x * Math.Max(0, Math.Min(1, x / 6 + 0.5)),
        UnaryFunction.Neg => -x,
        UnaryFunction.Exp => Math.Exp(x),
        UnaryFunction.Log => Math.Log(x),
        UnaryFunction.Sqrt => Math.Sqrt(x),
        UnaryFunction.Abs => Math.Abs(x),
        UnaryFunction.Reciprocal => 1 / x,
        _ => throw new ArgumentOutOfRangeException(nameof(f), f, "not evaluated at conversion time"),
    };
}
