using System.Diagnostics;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// A progress line while a large image folder is listed (<see cref="ImageFolderLayout.Find"/>), so that a long silence
/// before training is seen to be work. Silent until the listing becomes noticeable (<see cref="NoticeableAfter"/> or
/// <see cref="NoticeableFiles"/>); then on a terminal one line rewritten in place (\r), and elsewhere (a log file) two
/// lines at most: one when it becomes noticeable and one when it is done.
/// </summary>
public sealed class IndexingProgress(string folder, TextWriter writer, bool inPlace)
{
    public static readonly TimeSpan NoticeableAfter = TimeSpan.FromSeconds(1);
    public const int NoticeableFiles = 10_000;
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(250);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _drawn = TimeSpan.MinValue;
    private long _files;
    private bool _shown;

    /// <summary>The listing's progress on standard error, rewritten in place where that is a terminal.</summary>
    public static IndexingProgress ToStandardError(string folder) => new(folder, Console.Error, inPlace: !Console.IsErrorRedirected);

    /// <summary>The listing becomes noticeable after this many files (tests set it low).</summary>
    public int FilesThreshold { get; init; } = NoticeableFiles;

    /// <summary>One more image file found.</summary>
    public void Found()
    {
        // The clock is read every 256 files: cheap beside a directory entry, often enough for a redraw.
        if ((++_files & 0xFF) != 0 && _files != FilesThreshold) return;
        var now = _clock.Elapsed;
        if (!_shown && (now >= NoticeableAfter || _files >= FilesThreshold))
        {
            _shown = true;
            Write($"indexing {folder}: {_files} images so far", finished: !inPlace);
            _drawn = now;
        }
        else if (_shown && inPlace && now - _drawn >= RedrawEvery)
        {
            Write($"indexing {folder}: {_files} images so far", finished: false);
            _drawn = now;
        }
    }

    /// <summary>The listing is complete: the last line says what was found, where anything was said at all.</summary>
    public void Done(int classes)
    {
        if (_shown) Write($"indexed {folder}: {_files} images in {classes} classes ({_clock.Elapsed.TotalSeconds:0.0} s)", finished: true);
    }

    private void Write(string line, bool finished)
    {
        if (inPlace) writer.Write("\r" + line + "\u001b[K" + (finished ? Environment.NewLine : ""));
        else writer.WriteLine(line);
        writer.Flush();
    }
}
