using System.Globalization;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The products of a per-channel BatchNormalization with its stored statistics (the inference form, which
/// <see cref="BatchNormalizationKernel"/> runs as torch's batch_norm in eval mode): libtorch's native_batch_norm_backward,
/// the operator autograd's backward node runs, with the stored mean and variance, no saved batch statistics and the
/// output mask of the inputs that take a product, through TorchScript; each laid out as the leaf's gradient is. The stored
/// statistics are detached by the kernel and take no product. The training form stays on a tape.
/// </summary>
public sealed class BatchNormalizationClosedForm : ClosedForm<BatchNormalizationSpec>
{
    protected override bool Covers(BatchNormalizationSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        spec.Spatial && spec.Batch is null && shapes.Count == 5 && shapes[0] is { Length: >= 2 };

    public override bool Detaches(OpSpec spec, int slot) => slot >= 3;

    protected override Tensor?[] Products(BatchNormalizationSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        bool[] mask = [wanted[0], wanted[1], wanted[2]];
        var taken = Enumerable.Range(0, 3).Where(slot => mask[slot]).ToList();
        string epsilon = spec.Epsilon.ToString("R", CultureInfo.InvariantCulture);
        var flat = inputs.Skip(1).Select(t => t!.flatten()).ToArray();
        var results = ScriptedOperation.Run("grad: Tensor, x: Tensor, scale: Tensor, mean: Tensor, variance: Tensor",
            [$"r = torch.native_batch_norm_backward(grad, x, scale, mean, variance, None, None, False, {epsilon}, " +
             $"{ScriptedOperation.List(mask)})",
             $"return ({string.Concat(taken.Select(slot => $"r[{slot}], "))})"],
            [error, inputs[0]!, .. flat.Take(1), .. flat.Skip(2)]);
        var products = new Tensor?[inputs.Count];
        for (int k = 0; k < taken.Count; k++)
        {
            var input = inputs[taken[k]]!;
            products[taken[k]] = LeafLayout.Of(results[k].reshape(input.shape), input);
        }
        return products;
    }
}
