using ZilOnnx.Converter.IO;
using ZilOnnx.Tests.Robustness;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Converter.IO;

/// <summary>
/// The atomic writer replaces regular files only (the defence behind the commands' output checks), says what failed
/// of the target and not of its hidden temporary file, and cleans up after writers that were killed.
/// </summary>
public sealed class AtomicFileTests
{
    private static readonly byte[] Bytes = [1, 2, 3];

    [Fact]
    public void A_named_pipe_is_not_replaced()
    {
        using var temp = new TempDirectory();
        string pipe = HostileModels.NamedPipe(temp.File("out.onnx"));

        var e = Assert.Throws<IOException>(() => AtomicFile.Write(pipe, s => s.Write(Bytes)));

        Assert.Equal($"{pipe}: is a named pipe (FIFO), not a regular file: refusing to replace it", e.Message);
        Assert.Equal(PathKind.NamedPipe, PathStatus.Of(pipe, followLinks: false).Kind);
        Assert.Equal(["out.onnx"], Names(temp));
    }

    [Fact]
    public void A_symbolic_link_is_not_replaced_and_its_target_keeps_its_bytes()
    {
        using var temp = new TempDirectory();
        string target = temp.File("target"), link = temp.File("link");
        File.WriteAllText(target, "keep");
        File.CreateSymbolicLink(link, target);

        var e = Assert.Throws<IOException>(() => AtomicFile.Write(link, s => s.Write(Bytes)));

        Assert.Contains("is a symbolic link", e.Message);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal("keep", File.ReadAllText(target));
        Assert.Equal(["link", "target"], Names(temp));
    }

    [Fact]
    public void A_regular_file_is_replaced()
    {
        using var temp = new TempDirectory();
        string path = temp.File("out.bin");
        File.WriteAllText(path, "old");

        AtomicFile.Write(path, s => s.Write(Bytes));

        Assert.Equal(Bytes, File.ReadAllBytes(path));
        Assert.Equal(["out.bin"], Names(temp));
    }

    [Fact]
    public void A_missing_folder_is_named_and_the_temporary_file_is_not()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "missing", "out.bin");

        var e = Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(path, s => s.Write(Bytes)));

        Assert.Equal($"{path}: the folder {Path.Combine(temp.Path, "missing")} does not exist", e.Message);
    }

    [Fact]
    public void Checking_writability_leaves_nothing_and_fails_on_a_missing_folder()
    {
        using var temp = new TempDirectory();
        AtomicFile.CheckWritable(temp.File("out.bin"));
        Assert.Empty(Names(temp));
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.CheckWritable(Path.Combine(temp.Path, "missing", "out.bin")));
    }

    [Fact]
    public void Stale_temporary_files_of_the_output_are_removed_and_nothing_else()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out.onnx");
        string stale = $".out.onnx.{Guid.NewGuid():N}.tmp", live = $".out.onnx.{Guid.NewGuid():N}.tmp";
        string[] others =
        [
            $".other.onnx.{Guid.NewGuid():N}.tmp", // another output's
            ".out.onnx.mine.tmp",                  // not our pattern
            $".out.onnx.{Guid.NewGuid():N}.tmp.bak",
            $"out.onnx.{Guid.NewGuid():N}.tmp",    // not hidden
        ];
        foreach (string name in others.Append(stale).Append(live)) File.WriteAllText(temp.File(name), "x");
        // A writer that is still running holds its temporary file as AtomicFile does (FileShare.None).
        using (new FileStream(temp.File(live), FileMode.Open, FileAccess.Write, FileShare.None))
        {
            var removed = AtomicFile.RemoveStaleTemporaries(output);
            Assert.Equal([stale], removed);
        }
        Assert.Equal(others.Append(live).Order(StringComparer.Ordinal), Names(temp));
    }

    private static string[] Names(TempDirectory temp) =>
        Directory.EnumerateFileSystemEntries(temp.Path).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();
}
