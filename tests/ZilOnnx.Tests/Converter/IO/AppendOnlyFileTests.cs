using ZilOnnx.Converter.IO;
using ZilOnnx.Tests.Robustness;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Converter.IO;

/// <summary>`--metrics` lines: each added whole at the end of the file, however many writers share it.</summary>
public sealed class AppendOnlyFileTests
{
    [Fact]
    public void Two_writers_of_one_file_each_add_whole_lines_at_its_end()
    {
        using var temp = new TempDirectory();
        string path = temp.File("metrics.jsonl");
        using (var first = new AppendOnlyFile(path, truncate: true))
        using (var second = new AppendOnlyFile(path, truncate: false))
        {
            // Alternating, as two runs would: a writer that kept its own position (FileMode.Append) would write its
            // second line over the other's first.
            for (int i = 0; i < 50; i++)
            {
                first.WriteLine($"{{\"writer\": 1, \"step\": {i}}}");
                second.WriteLine($"{{\"writer\": 2, \"step\": {i}, \"padding\": \"{new string('x', i)}\"}}");
            }
        }
        string[] lines = File.ReadAllLines(path);
        Assert.Equal(100, lines.Length);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal($"{{\"writer\": 1, \"step\": {i}}}", lines[2 * i]);
            Assert.Equal($"{{\"writer\": 2, \"step\": {i}, \"padding\": \"{new string('x', i)}\"}}", lines[2 * i + 1]);
        }
    }

    [Fact]
    public void Truncating_empties_the_file_and_appending_keeps_it()
    {
        using var temp = new TempDirectory();
        string path = temp.File("metrics.jsonl");
        File.WriteAllText(path, "old\n");
        using (var keep = new AppendOnlyFile(path, truncate: false)) keep.WriteLine("new");
        Assert.Equal(["old", "new"], File.ReadAllLines(path));
        using (var fresh = new AppendOnlyFile(path, truncate: true)) fresh.WriteLine("only");
        Assert.Equal(["only"], File.ReadAllLines(path));
    }

    [Fact]
    public void A_named_pipe_is_refused_without_opening_it()
    {
        using var temp = new TempDirectory();
        // Opening a pipe for writing waits for a reader: were it opened, this test would hang.
        string pipe = HostileModels.NamedPipe(temp.File("metrics.jsonl"));
        var e = Assert.Throws<IOException>(() => new AppendOnlyFile(pipe, truncate: true));
        Assert.Contains("is a named pipe (FIFO), not a regular file", e.Message);
    }
}
