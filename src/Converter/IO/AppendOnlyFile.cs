using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace ZilOnnx.Converter.IO;

/// <summary>
/// A text file written a whole line at a time: each line is one write(2) on a descriptor opened with O_APPEND, so the
/// kernel puts it at the end of the file as one piece, and two writers of the same file (another run, `tail -f`
/// readers aside) can never interleave parts of their lines. .NET's FileMode.Append does not do this: it seeks to the
/// end once and then writes at its own position, over whatever another writer added meanwhile.
/// </summary>
public sealed class AppendOnlyFile : IDisposable
{
    // open(2) flags, the same on every Linux architecture .NET runs on (asm-generic values).
    private const int WriteOnly = 0x1, Create = 0x40, Truncate = 0x200, Append = 0x400, CloseOnExec = 0x80000;
    private const int Permissions = 0x1B6; // 0666, less the umask, as any program creates a file

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint WriteBytes(SafeFileHandle file, byte[] bytes, nint count);

    private readonly SafeFileHandle _file;
    private readonly string _path;

    /// <param name="truncate">Empty the file first (a new run), rather than add to what it holds (a resumed one).</param>
    public AppendOnlyFile(string path, bool truncate)
    {
        _path = path;
        // As for AtomicFile: only a regular file is written to (a pipe would block the open, a device take the lines).
        var status = PathStatus.Of(path, followLinks: false);
        if (status.Exists && status.Kind != PathKind.RegularFile)
            throw new IOException($"{path}: is {PathStatus.Describe(status.Kind)}, not a regular file: refusing to write to it");
        int descriptor = Open(path, WriteOnly | Create | Append | CloseOnExec | (truncate ? Truncate : 0), Permissions);
        if (descriptor < 0) throw new IOException($"{path}: cannot open the file for writing: " +
            $"{new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        _file = new SafeFileHandle(descriptor, ownsHandle: true);
    }

    /// <summary>Adds <paramref name="line"/> and a newline to the end of the file, in one write.</summary>
    public void WriteLine(string line)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line + "\n");
        nint written = WriteBytes(_file, bytes, bytes.Length);
        // A regular file takes a whole write or fails (a full disk); a short write would leave half a line.
        if (written != bytes.Length)
            throw new IOException($"{_path}: cannot append a line: " + (written < 0
                ? new Win32Exception(Marshal.GetLastPInvokeError()).Message : $"only {written} of {bytes.Length} bytes were written"));
    }

    public void Dispose() => _file.Dispose();
}
