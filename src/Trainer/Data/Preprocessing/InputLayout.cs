namespace ZilOnnx.Trainer.Data.Preprocessing;

/// <summary>
/// Where a 4-D image input keeps its channels: "nchw" (axis 1, PyTorch) or "nhwc" (the last axis, Keras/TensorFlow).
/// A model's input says it by its declared shape: channels on axis 1 when that axis is 1 or 3, else on the last axis
/// when that one is 1 or 3; a shape that says neither is taken as NCHW.
/// </summary>
public static class InputLayout
{
    public const string Nchw = "nchw";
    public const string Nhwc = "nhwc";

    /// <summary>The layout the declared shape says, or null for an input that is not 4-D (no image).</summary>
    public static string? Of(IReadOnlyList<long?> shape) => shape.Count != 4 ? null
        : shape[1] is 1 or 3 ? Nchw
        : shape[3] is 1 or 3 ? Nhwc
        : Nchw;

    public static int ChannelAxis(string layout, int rank) => layout == Nhwc ? rank - 1 : 1;

    /// <summary>The [N, C, H, W] (or [N, H, W, C]) shape of the other layout.</summary>
    public static long[] Swap(long[] shape, string from) => from == Nhwc
        ? [shape[0], shape[3], shape[1], shape[2]]
        : [shape[0], shape[2], shape[3], shape[1]];

    /// <summary>The axis permutation (numpy's transpose) that turns a 4-D array of layout <paramref name="from"/> into the other
    /// layout.</summary>
    public static int[] Permutation(string from) => from == Nhwc ? [0, 3, 1, 2] : [0, 2, 3, 1];
}
