using System.Globalization;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The products of a per-channel BatchNormalization where <see cref="BatchNormalizationKernel"/> runs torch's batch_norm:
/// libtorch's native_batch_norm_backward, the operator autograd's backward node runs, with the output mask of the inputs
/// that take a product, through TorchScript, in the layout the operator gives them. The inference form passes it the
/// stored mean and variance (eval mode); the training form the batch's mean and 1 / sigma, which native_batch_norm gives
/// for the same input (the forward's own, recomputed: the same kernel on the same values). The stored statistics are
/// detached by the kernel and take no product. A training form that may see one value per channel (no spatial axes,
/// where a batch of one takes the kernel's formula) stays on a tape.
/// </summary>
public sealed class BatchNormalizationClosedForm : ClosedForm<BatchNormalizationSpec>
{
    protected override bool Covers(BatchNormalizationSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted) =>
        spec.Spatial && shapes.Count == 5 && shapes[0] is { Length: >= 2 } x
        && (spec.Batch is null || x[2..].Aggregate(1L, (p, d) => p * d) > 1);

    public override bool Detaches(OpSpec spec, int slot) => slot >= 3;

    protected override Tensor?[] Products(BatchNormalizationSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        bool[] mask = [wanted[0], wanted[1], wanted[2]];
        string epsilon = spec.Epsilon.ToString("R", CultureInfo.InvariantCulture), outputMask = ScriptedOperation.List(mask);
        string[] body = spec.Batch is null
            ? [$"r = torch.native_batch_norm_backward(grad, x, scale, mean, variance, None, None, False, {epsilon}, {outputMask})"]
            : [$"s = torch.native_batch_norm(x, scale, None, None, None, True, 0.0, {epsilon})",
               $"r = torch.native_batch_norm_backward(grad, x, scale, None, None, s[1], s[2], True, {epsilon}, {outputMask})"];
        var results = ScriptedOperation.RunMasked("grad: Tensor, x: Tensor, scale: Tensor, mean: Tensor, variance: Tensor", body, mask,
            error, inputs[0]!, inputs[1]!.flatten(), inputs[3]!.flatten(), inputs[4]!.flatten());
        var products = new Tensor?[inputs.Count];
        for (int slot = 0; slot < 3; slot++)
            products[slot] = results[slot]?.reshape(inputs[slot]!.Sizes());
        return products;
    }
}
