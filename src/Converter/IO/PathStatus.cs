using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ZilOnnx.Converter.IO;

/// <summary>What a path names, as the kernel sees it.</summary>
public enum PathKind { Missing, RegularFile, Directory, SymbolicLink, NamedPipe, CharacterDevice, BlockDevice, Socket }

/// <summary>
/// The kind and identity (device and inode) of the file a path names. .NET reports a named pipe, a device and a
/// regular file alike (all "Normal") and has no inode numbers, which are what tells a hard link to a file from another
/// file; so this asks the kernel through statx(2), whose record has one layout on every Linux architecture. Where
/// statx is missing (not Linux), it falls back on what .NET can tell: links, folders and files, without identities.
/// </summary>
public readonly record struct PathStatus(PathKind Kind, ulong Device, ulong Inode, uint LinkCount)
{
    private const int AtCurrentDirectory = -100, AtSymlinkNoFollow = 0x100, AtEmptyPath = 0x1000;
    private const uint BasicStats = 0x7ff;
    // Offsets in struct statx (linux/stat.h), the same on every architecture; the record is 256 bytes.
    private const int NlinkOffset = 16, ModeOffset = 28, InodeOffset = 32, DeviceMajorOffset = 136, DeviceMinorOffset = 140,
        RecordSize = 256;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int StatxPath(int directory, string path, int flags, uint mask, byte[] record);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int StatxHandle(SafeFileHandle file, string path, int flags, uint mask, byte[] record);

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr RealPathOf(string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr memory);

    private static bool _noStatx;

    public bool Exists => Kind != PathKind.Missing;

    /// <summary>True when both name one existing file (hard links and symbolic links to it included).</summary>
    public bool IsSameFileAs(PathStatus other) =>
        Exists && other.Exists && Inode != 0 && Device == other.Device && Inode == other.Inode;

    /// <summary>The status of <paramref name="path"/>; with <paramref name="followLinks"/> false, of a link itself.</summary>
    public static PathStatus Of(string path, bool followLinks)
    {
        if (!_noStatx)
        {
            try
            {
                var record = new byte[RecordSize];
                if (StatxPath(AtCurrentDirectory, path, followLinks ? 0 : AtSymlinkNoFollow, BasicStats,
                    record) == 0) return FromRecord(record);
                // Not there, or not reachable (a path through a file, a loop of links, no search permission): nothing to write over.
                return new PathStatus(PathKind.Missing, 0, 0, 0);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                _noStatx = true;
            }
        }
        return FromDotNet(path, followLinks);
    }

    /// <summary>The status of an open file (which a path may no longer name: a lock file deleted and made anew).</summary>
    public static PathStatus Of(SafeFileHandle file)
    {
        if (!_noStatx)
        {
            try
            {
                var record = new byte[RecordSize];
                if (StatxHandle(file, "", AtEmptyPath, BasicStats, record) == 0) return FromRecord(record);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                _noStatx = true;
            }
        }
        return new PathStatus(PathKind.RegularFile, 0, 0, 1);
    }

    /// <summary>
    /// The absolute path with every link and `..` resolved the way the kernel resolves them (`a/link/..` is the
    /// folder holding the link's target, not `a`), or null when the path does not exist.
    /// </summary>
    public static string? RealPath(string path)
    {
        if (!_noStatx)
        {
            try
            {
                IntPtr resolved = RealPathOf(path, IntPtr.Zero);
                if (resolved == IntPtr.Zero) return null;
                try { return Marshal.PtrToStringUTF8(resolved); }
                finally { Free(resolved); }
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                _noStatx = true;
            }
        }
        var info = new FileInfo(path);
        if (Directory.Exists(path)) return Path.GetFullPath(new DirectoryInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName
            ?? path);
        return info.Exists ? Path.GetFullPath(info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName) : null;
    }

    /// <summary>Words for the kind, as error messages use them ("a named pipe").</summary>
    public static string Describe(PathKind kind) => kind switch
    {
        PathKind.RegularFile => "a regular file",
        PathKind.Directory => "a folder",
        PathKind.SymbolicLink => "a symbolic link",
        PathKind.NamedPipe => "a named pipe (FIFO)",
        PathKind.CharacterDevice => "a character device",
        PathKind.BlockDevice => "a block device",
        PathKind.Socket => "a socket",
        _ => "missing",
    };

    private static PathStatus FromRecord(byte[] record)
    {
        int type = BitConverter.ToUInt16(record, ModeOffset) & 0xF000;
        var kind = type switch
        {
            0x8000 => PathKind.RegularFile,
            0x4000 => PathKind.Directory,
            0xA000 => PathKind.SymbolicLink,
            0x1000 => PathKind.NamedPipe,
            0x2000 => PathKind.CharacterDevice,
            0x6000 => PathKind.BlockDevice,
            _ => PathKind.Socket,
        };
        ulong device = ((ulong)BitConverter.ToUInt32(record, DeviceMajorOffset) << 32) | BitConverter.ToUInt32(record, DeviceMinorOffset);
        return new PathStatus(kind, device, BitConverter.ToUInt64(record, InodeOffset), BitConverter.ToUInt32(record, NlinkOffset));
    }

    private static PathStatus FromDotNet(string path, bool followLinks)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists && info.LinkTarget == null) return new PathStatus(PathKind.Missing, 0, 0, 0);
        if (info.LinkTarget != null && !followLinks) return new PathStatus(PathKind.SymbolicLink, 0, 0, 1);
        return new PathStatus(info is DirectoryInfo ? PathKind.Directory : PathKind.RegularFile, 0, 0, 1);
    }
}
