using System.Text.RegularExpressions;

namespace ZilOnnx.Converter.IO;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new one: the bytes go to a
/// temporary file in the same folder (so the final move is a rename within one file system), are flushed
/// to disk, and only then replace the target. A crash or kill at any point leaves the previous file intact.
/// Only a regular file is ever replaced: a rename over a named pipe, a device or a symbolic link would put a
/// regular file where the system's or the user's special file was (as root, `-o /dev/null` replaced /dev/null).
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        // The path is handed to the kernel as given, not made absolute first: Path.GetFullPath resolves `..`
        // lexically, and `a/link/../x` is then another file than the one the kernel (and the output checks) name.
        string temporary = TemporaryPathFor(path);
        RefuseSpecial(path);
        try
        {
            using (var stream = CreateTemporary(temporary, path))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            // Checked again at the last moment: the path may have become a pipe or a link while the bytes were written.
            RefuseSpecial(path);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// Proves that <paramref name="path"/> can be written the way <see cref="Write"/> writes it, by creating and
    /// removing a temporary file of the same pattern next to it; throws an <see cref="IOException"/> naming the path.
    /// </summary>
    public static void CheckWritable(string path)
    {
        string temporary = TemporaryPathFor(path);
        using (CreateTemporary(temporary, path)) { }
        File.Delete(temporary);
    }

    /// <summary>
    /// Removes the temporary files a killed writer of <paramref name="path"/> left (`.NAME.&lt;32 hex&gt;.tmp`, for this
    /// NAME only), except those a live writer still holds: a writer holds its file with FileShare.None, which .NET takes
    /// as an exclusive advisory lock (flock) that dies with the process. Returns the names removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleTemporaries(string path)
    {
        string folder = FolderOf(path), name = Path.GetFileName(path);
        var removed = new List<string>();
        var ours = new Regex($"^\\.{Regex.Escape(name)}\\.[0-9a-f]{{32}}\\.tmp$", RegexOptions.CultureInvariant);
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(folder, $".{name}.*.tmp").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return removed; }
        foreach (string candidate in candidates)
        {
            if (!ours.IsMatch(Path.GetFileName(candidate)) || PathStatus.Of(candidate,
                followLinks: false).Kind != PathKind.RegularFile) continue;
            try
            {
                using (new FileStream(candidate, FileMode.Open, FileAccess.Read, FileShare.None)) File.Delete(candidate);
                removed.Add(Path.GetFileName(candidate));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Held by a live writer, or not ours to remove: left alone.
            }
        }
        return removed;
    }

    /// <summary>`.NAME.&lt;guid&gt;.tmp` in the folder of <paramref name="path"/>.</summary>
    public static string TemporaryPathFor(string path) => Path.Combine(FolderOf(path), $".{FileNameOf(path)}.{Guid.NewGuid():N}.tmp");

    /// <summary>The folder a path's file is in, as given (`.` for a bare name).</summary>
    public static string FolderOf(string path)
    {
        FileNameOf(path);
        return Path.GetDirectoryName(path) is { Length: > 0 } folder ? folder : ".";
    }

    private static string FileNameOf(string path) =>
        Path.GetFileName(path) is { Length: > 0 } name && name != "." && name != ".."
            ? name
            : throw new IOException($"{path}: names a folder, not a file");

    private static void RefuseSpecial(string path)
    {
        var status = PathStatus.Of(path, followLinks: false);
        if (status.Exists && status.Kind != PathKind.RegularFile)
            throw new IOException($"{path}: is {PathStatus.Describe(status.Kind)}, not a regular file: refusing to replace it");
    }

    /// <summary>Creates the temporary file; a failure is said of the target path, not of the hidden temporary name.</summary>
    private static FileStream CreateTemporary(string temporary, string path)
    {
        try
        {
            return new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new DirectoryNotFoundException($"{path}: the folder {FolderOf(path)} does not exist", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"{path}: no permission to create files in the folder {FolderOf(path)}", e);
        }
        catch (IOException e)
        {
            throw new IOException($"{path}: cannot create a file in the folder {FolderOf(path)}: {Reason(e, temporary)}", e);
        }
    }

    /// <summary>The system's reason, without the temporary file's name that .NET puts in its messages.</summary>
    private static string Reason(Exception e, string temporary) => e.Message.Replace($"'{temporary}'", "the file").Replace(temporary,
        "the file");
}
