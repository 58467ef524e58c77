namespace ZilOnnx.Converter.IO;

/// <summary>
/// An advisory lock on an output path, held for a whole run, so that a second run writing the same file refuses at
/// its start instead of one of the two results being silently lost. The lock is `.NAME.lock` next to the output,
/// opened with FileShare.None, which .NET on Unix takes as an exclusive flock(2): the kernel drops it when the process
/// ends however it ends, so a lock file a killed run left behind does not block the next run, which takes it over.
/// Disposing releases the lock and removes the file.
/// </summary>
public sealed class OutputLock : IDisposable
{
    private readonly FileStream _file;

    private OutputLock(string path, FileStream file)
    {
        LockPath = path;
        _file = file;
    }

    /// <summary>The lock file, `.NAME.lock` in the output's folder.</summary>
    public string LockPath { get; }

    public static string LockPathFor(string output) => Path.Combine(AtomicFile.FolderOf(output), $".{Path.GetFileName(output)}.lock");

    /// <summary>Takes the lock on <paramref name="output"/>, or throws an <see cref="IOException"/> saying another run holds it.</summary>
    public static OutputLock Take(string output)
    {
        string path = LockPathFor(output);
        // A holder removes the file as it lets go; a run that opened the file just before may then lock a name that
        // no longer exists, while a third run makes a new file and locks that. So the lock counts only when the
        // path still names the locked file; otherwise it is taken again on the file that is there now.
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var existing = PathStatus.Of(path, followLinks: false);
            if (existing.Exists && existing.Kind != PathKind.RegularFile)
                throw new IOException($"{output}: its lock file {path} is {PathStatus.Describe(existing.Kind)}; remove it");
            FileStream file;
            try
            {
                file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new UnauthorizedAccessException($"{output}: no permission to open its lock file {path}", e);
            }
            catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
            {
                // The folder was proved writable before, so what fails here is the lock: another process holds it.
                throw new IOException($"{output}: another zilonnx run is writing it (it holds the lock {path}); wait for that run to " +
                    $"end, or write elsewhere", e);
            }
            if (PathStatus.Of(file.SafeFileHandle).IsSameFileAs(PathStatus.Of(path, followLinks: false))) return new OutputLock(path, file);
            file.Dispose();
        }
        throw new IOException($"{output}: the lock {path} keeps changing; another zilonnx run is starting or ending there");
    }

    public void Dispose()
    {
        // Removed while still held, so that no other run can have locked this file in between.
        try { File.Delete(LockPath); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        _file.Dispose();
    }
}
