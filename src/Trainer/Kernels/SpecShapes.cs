using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>Shape checks are the converter's (the specs'); a mismatch there becomes a kernel error here.</summary>
internal static class SpecShapes
{
    public static T Checked<T>(Func<T> compute)
    {
        try { return compute(); }
        catch (ShapeException e) { throw new KernelException(e.Message); }
    }

    /// <summary>Checks the inputs' shapes against the spec, as the converter did when it built the graph.</summary>
    public static void Check(OpSpec spec, params Tensor?[] inputs) =>
        Checked(() => spec.InferShape(inputs.Select(t => t?.Sizes()).ToList()));
}
