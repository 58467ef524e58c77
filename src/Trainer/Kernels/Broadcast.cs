using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Compute;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>Checks broadcasting up front, so a mismatch is a clear error rather than a native one.</summary>
internal static class Broadcast
{
    /// <summary>Multidirectional (NumPy) broadcasting: trailing dimensions equal or 1.</summary>
    public static void Check(Tensor a, Tensor b, string op)
    {
        long[] x = a.Sizes(), y = b.Sizes();
        for (int i = 1; i <= Math.Min(x.Length, y.Length); i++)
        {
            long dx = x[^i], dy = y[^i];
            if (dx != dy && dx != 1 && dy != 1)
                throw new KernelException($"{op}: shapes [{string.Join(", ", x)}] and [{string.Join(", ", y)}] do not broadcast");
        }
    }

    /// <summary>Unidirectional broadcasting: <paramref name="b"/> stretches to <paramref name="target"/>, never the other way.</summary>
    public static void CheckUnidirectional(long[] target, Tensor b, string op)
    {
        long[] y = b.Sizes();
        bool fits = y.Length <= target.Length;
        for (int i = 1; fits && i <= y.Length; i++)
            fits = y[^i] == target[^i] || y[^i] == 1;
        if (!fits)
            throw new KernelException($"{op}: shape [{string.Join(", ", y)}] does not broadcast to [{string.Join(", ", target)}]");
    }

    /// <summary>
    /// <paramref name="b"/> viewed with the opset-6 broadcast rule applied (a reshape, so it stays differentiable);
    /// torch's broadcasting then reproduces the legacy result.
    /// </summary>
    public static Tensor Legacy(Tensor a, Tensor b, LegacyBroadcast rule, string op)
    {
        long[] aligned = rule.AlignedShape(a.Sizes(), b.Sizes(), out string? problem);
        if (problem != null)
            throw new KernelException($"{op} (legacy broadcast): shapes [{string.Join(", ", a.Sizes())}] and " +
                $"[{string.Join(", ", b.Sizes())}]: {problem}");
        return b.reshape(aligned);
    }
}
