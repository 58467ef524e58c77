using ZilOnnx.Converter.IO;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Converter.IO;

/// <summary>
/// The lock one run holds on an output. flock(2) locks belong to an open file, so a second open in this process
/// conflicts as another process's would (the commands' tests hold it across processes: OutputDisciplineTests).
/// </summary>
public sealed class OutputLockTests
{
    [Fact]
    public void A_held_lock_refuses_a_second_taker_naming_the_output_and_the_lock_file()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out.onnx");
        using (OutputLock.Take(output))
        {
            var e = Assert.Throws<IOException>(() => OutputLock.Take(output));
            Assert.Equal($"{output}: another zilonnx run is writing it (it holds the lock {temp.File(".out.onnx.lock")}); wait for that run to end, or write elsewhere", e.Message);
        }
        // Released and removed: the next run takes it, and nothing is left behind.
        Assert.False(File.Exists(temp.File(".out.onnx.lock")));
        using (OutputLock.Take(output)) Assert.True(File.Exists(temp.File(".out.onnx.lock")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void A_lock_file_left_by_a_killed_run_does_not_block()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File(".out.onnx.lock"), "");
        using (OutputLock.Take(temp.File("out.onnx"))) { }
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void A_lock_path_that_is_not_a_regular_file_is_refused()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File(".out.onnx.lock"));
        var e = Assert.Throws<IOException>(() => OutputLock.Take(temp.File("out.onnx")));
        Assert.Contains("is a folder; remove it", e.Message);
    }
}
