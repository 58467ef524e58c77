using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The product of an operator that reads a strided window of its input (Slice, one output of Split): the error scattered
/// back to the window's positions, zeros elsewhere, as <see cref="Selection.WindowProduct"/> runs autograd's backward.
/// </summary>
/// <param name="windowOf">The window the operator reads of an input of the given shape.</param>
public sealed class WindowClosedForm(Func<OpSpec, long[], StridedWindow> windowOf) : IClosedForm
{
    public static readonly WindowClosedForm Slice = new((spec, shape) => ((SliceSpec)spec).Window(shape));
    public static readonly WindowClosedForm Split = new((spec, shape) => ((SplitSpec)spec).Part(shape));

    public bool Covers(OpSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) => ReshapeClosedForm.OnlyFirstWanted(wanted);

    public Tensor?[] Backward(OpSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error, IReadOnlyList<bool> wanted)
    {
        long[] shape = inputs[0]!.Sizes();
        var products = new Tensor?[inputs.Count];
        products[0] = Selection.WindowProduct(error, shape, windowOf(spec, shape));
        return products;
    }
}
