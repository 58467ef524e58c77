using TorchSharp;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The prediction function g_v of one kind of vertex. Forward is written with differentiable TorchSharp
/// operations, so a vertex's local vector-Jacobian products come from autograd inside that one function
/// (local means local) and BP's witness runs the very same arithmetic.
/// </summary>
public interface IKernel
{
    Tensor Forward(OpSpec spec, IReadOnlyList<Tensor?> inputs);
}

/// <summary>A kernel for one OpSpec type.</summary>
public abstract class Kernel<TSpec> : IKernel where TSpec : OpSpec
{
    public Tensor Forward(OpSpec spec, IReadOnlyList<Tensor?> inputs) => Forward((TSpec)spec, inputs);

    protected abstract Tensor Forward(TSpec spec, IReadOnlyList<Tensor?> inputs);

    protected static Tensor Required(IReadOnlyList<Tensor?> inputs, int index, string name) =>
        index < inputs.Count && inputs[index] is { } t ? t : throw new KernelException($"input {index} ({name}) is required");

    protected static Tensor? Optional(IReadOnlyList<Tensor?> inputs, int index) => index < inputs.Count ? inputs[index] : null;

    protected static string ShapeOf(Tensor t) => $"[{string.Join(", ", t.Sizes())}]";
}

/// <summary>A vertex's inputs do not fit its operator (wrong rank, mismatched sizes); caught and reported with the vertex name.</summary>
public sealed class KernelException(string message) : Exception(message);
