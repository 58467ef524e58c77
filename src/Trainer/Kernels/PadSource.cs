using ZilOnnx.Converter.Ops;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>The input cell a non-constant Pad copies into position <c>i</c> (counted from the first input cell; negative before
/// it).</summary>
internal static class PadSource
{
    public static long Of(PadMode mode, long i, long size) => mode switch
    {
        PadMode.Edge => Math.Clamp(i, 0, size - 1),
        PadMode.Wrap => ((i % size) + size) % size,
        PadMode.Reflect => Reflect(i, size),
        _ => throw new KernelException($"Pad mode {mode} copies no input cell"),
    };

    /// <summary>Mirror without repeating the edge: period 2 (size - 1), so pads longer than the axis keep reflecting.</summary>
    private static long Reflect(long i, long size)
    {
        if (size == 1) return 0;
        long period = 2 * (size - 1);
        long m = ((i % period) + period) % period;
        return m < size ? m : period - m;
    }
}
