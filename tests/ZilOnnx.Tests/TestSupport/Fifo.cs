using System.Runtime.InteropServices;

namespace ZilOnnx.Tests.TestSupport;

/// <summary>Named pipes for the tests that check a pipe is refused rather than waited on.</summary>
public static class Fifo
{
    /// <summary>Makes a FIFO at <paramref name="path"/> that nobody writes to: opening it for reading would wait forever.</summary>
    public static string Make(string path)
    {
        if (mkfifo(path, 0b110_100_100) != 0) throw new IOException($"mkfifo {path} failed with errno {Marshal.GetLastPInvokeError()}");
        return path;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);
}
