using Xunit;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Style;

/// <summary>
/// The 140-character line limit of .editorconfig (max_line_length) over src: dotnet format checks whitespace but wraps
/// nothing, so this test is what enforces it. It lists every offending line, so one run shows all there is to wrap.
/// </summary>
public sealed class LineLengthTests
{
    private const int MaxLineLength = 140;

    [Fact]
    public void No_source_line_is_longer_than_the_limit()
    {
        string root = Repository.Root;
        var offenders = new List<string>();
        foreach (string file in SourceFiles(root))
        {
            string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].Length > MaxLineLength)
                    offenders.Add($"{relative}:{i + 1}: {lines[i].Length} characters");
            }
        }
        Assert.True(offenders.Count == 0,
            $"{offenders.Count} lines over {MaxLineLength} characters (.editorconfig max_line_length):\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void The_check_sees_the_sources()
    {
        // A wrong root would make the check above pass on nothing.
        Assert.Contains(SourceFiles(Repository.Root), f => f.EndsWith("Program.cs", StringComparison.Ordinal));
    }

    private static IEnumerable<string> SourceFiles(string root) =>
        Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
}
