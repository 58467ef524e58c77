using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.TestSupport;

public static class TensorMaxAbs
{
    /// <summary>The largest absolute element, as a double (0 for an empty tensor).</summary>
    public static double MaxAbs(this Tensor t)
    {
        if (t.numel() == 0) return 0;
        using var abs = t.detach().abs();
        using var max = abs.max();
        return max.ToDouble();
    }
}
