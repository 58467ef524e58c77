using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>Checks NumPy-style broadcasting up front, so a mismatch is a clear error rather than a native one.</summary>
internal static class Broadcast
{
    public static void Check(Tensor a, Tensor b, string op)
    {
        long[] x = a.shape, y = b.shape;
        for (int i = 1; i <= Math.Min(x.Length, y.Length); i++)
        {
            long dx = x[^i], dy = y[^i];
            if (dx != dy && dx != 1 && dy != 1)
                throw new KernelException($"{op}: shapes [{string.Join(", ", x)}] and [{string.Join(", ", y)}] do not broadcast");
        }
    }
}
