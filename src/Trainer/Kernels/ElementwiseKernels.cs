using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// Clip as torch.clamp: the gradient passes where min &lt;= x &lt;= max, bounds included. When min &gt; max the output is
/// max everywhere and no gradient passes. Clip 0..6, how PyTorch exports ReLU6 (MobileNetV2's activation), runs as relu6,
/// PyTorch's hardtanh: the same values, and hardtanh's gradient, which passes where 0 &lt; x &lt; 6 and not on the bounds,
/// as PyTorch's own ReLU6 (and ReLU at 0) passes none. Clamp's backward selects by where() over two comparisons, a branch
/// per cell: 2.3 ms on MobileNetV2's 8 x 96 x 32 x 32 maps against hardtanh_backward's 0.06 ms, a third of that model's
/// backward pass.
/// </summary>
public sealed class ClipKernel : Kernel<ClipSpec>
{
    /// <summary>Whether the Clip is ReLU6, which runs as relu6.</summary>
    internal static bool IsRelu6(ClipSpec spec) => spec is { Min: 0, Max: 6 };

    protected override Tensor Forward(ClipSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "input");
        if (spec.Min is null && spec.Max is null) return x.view_as(x);
        return IsRelu6(spec) ? nn.functional.relu6(x) : x.Clamp(spec.Min, spec.Max);
    }
}

/// <summary>
/// PRelu as where(x &gt; 0, x, slope * x), PyTorch's prelu convention at 0: d/dx = slope and d/dslope = x = 0.
/// The slope's gradient sums over the positions it was broadcast to.
/// </summary>
public sealed class PReluKernel : Kernel<PReluSpec>
{
    protected override Tensor Forward(PReluSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        Tensor x = Required(inputs, 0, "X"), slope = Required(inputs, 1, "slope");
        slope = slope.reshape(spec.AlignedSlope(x.Sizes(), slope.Sizes()));
        Broadcast.CheckUnidirectional(x.Sizes(), slope, "PRelu");
        return where(x.GreaterThan(0), x, slope * x);
    }
}

/// <summary>
/// Pow with a constant exponent, as torch.pow: where the exponent is 0 the gradient is 0 (also at x = 0).
/// The exponent is cast to the base's type, so that the result keeps it (Pow-12 allows integer exponents).
/// </summary>
public sealed class PowKernel : Kernel<PowSpec>
{
    protected override Tensor Forward(PowSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        Tensor x = Required(inputs, 0, "X"), y = Required(inputs, 1, "Y").to_type(x.dtype);
        if (spec.Legacy is { } legacy) return x.pow(Broadcast.Legacy(x, y, legacy, "Pow"));
        Broadcast.Check(x, y, "Pow");
        // A single exponent (LayerNorm's exported square) goes to pow(Tensor, Scalar): libtorch squares with one multiply
        // there and its backward is grad * 2 * x, where the tensor form runs std::pow and a where() over the exponent in
        // both passes. Zero still has a zero gradient (the scalar backward's own rule).
        if (y.dim() == 0) return x.Pow(y.ToDouble());
        return x.pow(y);
    }
}

/// <summary>Sub, Mul and Div on data or parameters; each operand's gradient sums over the positions it was broadcast to.</summary>
public sealed class ArithmeticKernel : Kernel<ArithmeticSpec>
{
    protected override Tensor Forward(ArithmeticSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        Tensor a = Required(inputs, 0, "A"), b = Required(inputs, 1, "B");
        if (spec.Legacy is { } legacy) b = Broadcast.Legacy(a, b, legacy, spec.OpType);
        else Broadcast.Check(a, b, spec.OpType);
        return spec.Op switch
        {
            Arithmetic.Sub => a - b,
            Arithmetic.Mul => a * b,
            Arithmetic.Div => a / b,
            _ => throw new KernelException($"{spec.OpType} has no kernel"),
        };
    }
}

/// <summary>
/// Sum, Mean, Max and Min over any number of inputs. Max and Min reduce the broadcast inputs stacked along a new
/// axis with amax/amin, whose gradient is split evenly between the inputs that tie for the extreme (PyTorch's
/// convention for amax; a chain of pairwise maximum calls would halve it at every step instead).
/// </summary>
public sealed class VariadicKernel : Kernel<VariadicSpec>
{
    protected override Tensor Forward(VariadicSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        if (inputs.Count == 0) throw new KernelException($"{spec.OpType} needs at least one input");
        var tensors = inputs.Select((t, i) => t ?? throw new KernelException($"input {i} is required")).ToArray();
        for (int i = 1; i < tensors.Length; i++)
        {
            if (!spec.Broadcasting && !tensors[i].Sizes().SequenceEqual(tensors[0].Sizes()))
                throw new KernelException($"{spec.OpType}: before opset 8 all inputs must have the same shape, got " +
                    $"{ShapeOf(tensors[0])} and {ShapeOf(tensors[i])}");
            Broadcast.Check(tensors[0], tensors[i], spec.OpType);
        }
        if (tensors.Length == 1) return tensors[0].view_as(tensors[0]);
        return spec.Kind switch
        {
            Variadic.Sum => tensors.Skip(1).Aggregate(tensors[0], (s, t) => s.Plus(t)),
            Variadic.Mean => tensors.Skip(1).Aggregate(tensors[0], (s, t) => s.Plus(t)).DividedBy(tensors.Length),
            Variadic.Max => stack(broadcast_tensors(tensors), 0).amax([0]),
            Variadic.Min => stack(broadcast_tensors(tensors), 0).amin([0]),
            _ => throw new KernelException($"{spec.OpType} has no kernel"),
        };
    }
}
