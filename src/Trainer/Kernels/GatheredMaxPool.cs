using TorchSharp;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// 2-D max pooling on the CPU, found by one kernel and differentiated through another. libtorch's CPU kernel for a
/// channels-first input compares one cell at a time, and on random data every comparison is a branch it cannot predict:
/// SqueezeNet's first pooling took 2.1 ms forward where a ReLU over as many cells takes 0.05 ms. Its channels-last kernel
/// compares a vector of channels at once, with the same rule (a cell replaces the window's maximum if greater, or NaN) and
/// the same positions (h * W + w in the plane), but its backward converts the gradient to channels-last and back. So the
/// positions come from the channels-last kernel under no_grad, and the values are gathered from the input at those
/// positions: a copy, whose backward (gather's, a scatter_add into zeros) sends each error to its window's maximum as
/// max_pool2d's backward does, in the same order where windows overlap. MaxPoolClosedFormTests hold values, positions and
/// gradients equal to torch's max pooling bit for bit. Forward and backward together take a fifth to a half of the time
/// on all but the smallest of the bench's poolings (bench/README.md). Other devices pool with max_pool2d itself: there
/// scatter_add adds with atomics, in no fixed order.
/// </summary>
internal static class GatheredMaxPool
{
    public static bool Applies(Tensor x) => x.device_type == DeviceType.CPU && x.dim() == 4;

    /// <summary>
    /// The maxima, differentiable through gather, and the position of each in its input plane (h * W + w), as
    /// max_pool2d_with_indices gives them.
    /// </summary>
    public static (Tensor Values, Tensor Positions) Pool(Tensor x, long[] kernel, long[] strides, long[] pads, long[] dilations,
        bool ceilMode)
    {
        Tensor positions;
        using (no_grad())
        {
            // Each plane pools alone, so with few channels (LeNet-5's 6) the batch joins them, to fill the vectors: 0.21 ms
            // instead of 0.88 on 64 x 6 x 28 x 28; from 16 channels on, that larger last axis is slower.
            var planes = x.size(1) < 16 ? x.reshape(1, -1, x.size(2), x.size(3)) : x;
            var channelsLast = planes.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
            var (pooled, found) = nn.functional.max_pool2d_with_indices(channelsLast, kernel, strides, pads, dilations, ceilMode);
            pooled.Dispose();
            positions = found.contiguous().view(x.size(0), x.size(1), found.size(2), found.size(3));
        }
        return (x.flatten(2).gather(2, positions.flatten(2)).view(positions.Sizes()), positions);
    }

    /// <summary>
    /// The maxima's product for the input: the operations autograd runs backward through <see cref="Pool"/>'s values (the view's
    /// reshape, gather's scatter_add into zeros, the flatten's view), so bitwise its gradient.
    /// </summary>
    public static Tensor Product(Tensor error, Tensor positions, Tensor input)
    {
        long[] plane = [input.size(0), input.size(1), input.size(2) * input.size(3)];
        return zeros(plane, error.dtype, error.device).scatter_add_(2, positions.flatten(2), error.reshape(plane[0], plane[1], -1))
            .view(input.Sizes());
    }
}
