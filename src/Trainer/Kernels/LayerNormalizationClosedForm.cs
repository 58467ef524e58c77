using System.Globalization;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// LayerNormalization's products where <see cref="LayerNormalizationKernel"/> runs torch's layer_norm (Scale and B shaped
/// as the normalized axes): libtorch's native_layer_norm_backward, the operator autograd's backward node runs, on the
/// mean and 1 / sigma that native_layer_norm gives for the same input (the forward's own, recomputed: the same kernel on
/// the same values), with the output mask of the inputs that take a product, through TorchScript. The products keep the
/// layout the operator gives them (X's contiguous), as backprop's graph hands them on: a leaf's layout, which a tape's
/// AccumulateGrad would give them, differs where X is transposed (a Transformer's sequence-first activations), and the
/// bias sums downstream then added in another order (ViT's MLP biases diverged at 4e-16). A Scale or B that broadcasts
/// stays on a tape.
/// </summary>
public sealed class LayerNormalizationClosedForm : ClosedForm<LayerNormalizationSpec>
{
    protected override bool Covers(LayerNormalizationSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted)
    {
        if (shapes.Count < 2 || shapes[0] is not { } x || shapes[1] is not { } scale) return false;
        long[] normalized = x[spec.FirstAxis(x.Length)..];
        return scale.SequenceEqual(normalized) && (shapes.Count < 3 || shapes[2] is not { } bias || bias.SequenceEqual(normalized));
    }

    protected override Tensor?[] Products(LayerNormalizationSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        Tensor x = inputs[0]!, scale = inputs[1]!;
        Tensor? bias = inputs.Count > 2 ? inputs[2] : null;
        string normalized = ScriptedOperation.List(x.Sizes()[spec.FirstAxis((int)x.dim())..]);
        string epsilon = spec.Epsilon.ToString("R", CultureInfo.InvariantCulture);
        bool[] mask = [wanted[0], wanted[1], bias is not null && wanted[2]];
        string biasArgument = bias is null ? "None" : "bias";
        Tensor[] arguments = bias is null ? [error, x, scale] : [error, x, scale, bias];
        var results = ScriptedOperation.RunMasked($"grad: Tensor, x: Tensor, scale: Tensor{(bias is null ? "" : ", bias: Tensor")}",
            [$"s = torch.native_layer_norm(x, {normalized}, scale, {biasArgument}, {epsilon})",
             $"r = torch.native_layer_norm_backward(grad, x, {normalized}, s[1], s[2], scale, {biasArgument}, " +
             $"{ScriptedOperation.List(mask)})"],
            mask, arguments);
        var products = new Tensor?[inputs.Count];
        for (int slot = 0; slot < inputs.Count; slot++) products[slot] = results[slot];
        return products;
    }
}
