using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// Conv's products from libtorch's own convolution_backward, the operator autograd's ConvolutionBackward0 runs for the
/// convolution of <see cref="ConvKernel"/> (derivatives.yaml), with the arguments autograd gives it: the forward's
/// stride, padding, dilation and groups, the bias's size, and as output mask which inputs take a product (an input that
/// does not require a gradient is masked out of autograd's call too). The same operator picks the same backend and sums
/// in the same order, so the products are autograd's to the last bit (ConvClosedFormTests). A 1-D convolution runs as
/// a 2-D one over an axis of size 1, as the kernel does. Unequal ONNX pads, which the kernel applies with a separate
/// pad, stay with autograd.
/// </summary>
public sealed class ConvClosedForm : ClosedForm<ConvSpec>
{
    protected override bool Covers(ConvSpec spec, IReadOnlyList<long[]?> shapes, IReadOnlyList<bool> wanted)
    {
        if (shapes.Count < 2 || shapes[0] is not { } x || shapes[1] is not { } w || x.Length != w.Length) return false;
        int rank = spec.SpatialRank;
        if (rank is < 1 or > 3 || x.Length != rank + 2) return false;
        long[] pads = spec.Padding.Resolve(x[2..], w[2..], spec.Strides, spec.Dilations);
        return Enumerable.Range(0, rank).All(i => pads[i] == pads[i + rank]);
    }

    protected override Tensor?[] Products(ConvSpec spec, IReadOnlyList<Tensor?> inputs, Tensor output, Tensor error,
        IReadOnlyList<bool> wanted)
    {
        Tensor x = inputs[0]!, w = inputs[1]!;
        Tensor? b = inputs.Count > 2 ? inputs[2] : null;
        int rank = spec.SpatialRank;
        long[] padding = spec.Padding.Resolve(x.Sizes()[2..], w.Sizes()[2..], spec.Strides, spec.Dilations)[..rank];
        long[] strides = spec.Strides, dilations = spec.Dilations;
        bool oneD = rank == 1;
        if (oneD)
        {
            (x, w, error) = (x.unsqueeze(2), w.unsqueeze(2), error.unsqueeze(2));
            (strides, padding, dilations) = ([1, .. strides], [0, .. padding], [1, .. dilations]);
        }
        bool[] mask = [wanted[0], wanted[1], b is not null && wanted.Count > 2 && wanted[2]];
        string biasSizes = b is null ? "None" : ScriptedOperation.List(b.Sizes());
        string call = "torch.convolution_backward(grad, input, weight, " +
            $"{biasSizes}, {ScriptedOperation.List(strides)}, {ScriptedOperation.List(padding)}, {ScriptedOperation.List(dilations)}, " +
            $"False, {ScriptedOperation.List(new long[strides.Length])}, {spec.Group}, {ScriptedOperation.List(mask)})";
        var results = ScriptedOperation.RunMasked("grad: Tensor, input: Tensor, weight: Tensor", [$"r = {call}"], mask, error, x, w);
        var products = new Tensor?[inputs.Count];
        for (int slot = 0; slot < Math.Min(3, inputs.Count); slot++)
            products[slot] = oneD && slot < 2 ? results[slot]?.squeeze(2) : results[slot];
        return products;
    }
}
