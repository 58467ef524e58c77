using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The product of an operator that only gives its input another shape (Reshape, Flatten, Squeeze, Unsqueeze, Identity):
/// its kernel is a reshape or a view, whose backward is the error reshaped to the input's shape (autograd's
/// ViewBackward and UnsafeViewBackward run that reshape), so the product is the error's values, unchanged.
/// </summary>
public sealed class ReshapeClosedForm : IClosedForm
{
    public bool Covers(OpSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) => OnlyFirstWanted(wanted);

    public Tensor?[] Backward(OpSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error, IReadOnlyList<bool> wanted)
    {
        var products = new Tensor?[inputs.Count];
        products[0] = error.reshape(inputs[0]!.Sizes());
        return products;
    }

    /// <summary>Only the data input takes a product (any other input is a static shape or index).</summary>
    internal static bool OnlyFirstWanted(IReadOnlyList<bool> wanted) => wanted.Count > 0 && wanted[0] && !wanted.Skip(1).Contains(true);
}
