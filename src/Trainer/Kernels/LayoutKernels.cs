using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

public sealed class TransposeKernel : Kernel<TransposeSpec>
{
    protected override Tensor Forward(TransposeSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "data");
        int[] perm = SpecShapes.Checked(() => spec.Permutation((int)x.dim()));
        return x.permute(perm.Select(p => (long)p).ToArray());
    }
}

/// <summary>Squeeze and Unsqueeze (<see cref="AxesReshapeSpec"/>).</summary>
public sealed class AxesReshapeKernel : Kernel<AxesReshapeSpec>
{
    protected override Tensor Forward(AxesReshapeSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "data");
        return x.reshape(SpecShapes.Checked(() => spec.OutputShape(x.Sizes())));
    }
}

public sealed class ExpandKernel : Kernel<ExpandSpec>
{
    // broadcast_to is a view; its vector-Jacobian product sums over the repeated positions.
    protected override Tensor Forward(ExpandSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "input");
        return x.broadcast_to(SpecShapes.Checked(() => spec.OutputShape(x.Sizes())));
    }
}

/// <summary>
/// Float-to-float Cast in the trainer's precision: values pass unchanged, or are rounded through the target type
/// when it is narrower than the precision; the rounding's vector-Jacobian product is the identity.
/// </summary>
public sealed class CastKernel : Kernel<CastSpec>
{
    protected override Tensor Forward(CastSpec spec, IReadOnlyList<Tensor?> inputs)
    {
        var x = Required(inputs, 0, "input");
        ScalarType? narrower = spec.To switch
        {
            DataType.Float16 => ScalarType.Float16,
            DataType.Bfloat16 => ScalarType.BFloat16,
            DataType.Float when x.dtype == ScalarType.Float64 => ScalarType.Float32,
            DataType.Float or DataType.Double => null,
            _ => throw new KernelException($"Cast to {spec.To} has no kernel: only float types are differentiable"),
        };
        return narrower is { } type ? x.to(type).to(x.dtype) : x.view_as(x);
    }
}
