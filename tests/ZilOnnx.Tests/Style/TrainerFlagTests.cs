using System.Text.RegularExpressions;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Style;

/// <summary>
/// The Trainer library names a setting by its marker (ZilOnnx.Trainer.Settings.Setting), never by a command-line flag:
/// the command line's words live in src/Cli (SettingFlags). So no string literal under src/Trainer holds a flag ("--"
/// and a letter); comments may.
/// </summary>
public sealed partial class TrainerFlagTests
{
    [Fact]
    public void No_string_literal_in_the_trainer_library_names_a_flag()
    {
        string root = Repository.Root;
        var offenders = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(root, "src", "Trainer"), "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.Contains("/obj/") || relative.Contains("/bin/")) continue;
            offenders.AddRange(StringLiterals.In(File.ReadAllText(file)).Where(l => Flag().IsMatch(l.Text))
                .Select(l => $"{relative}:{l.Line}: \"{l.Text}\""));
        }
        Assert.True(offenders.Count == 0, "string literals naming a flag (name the setting with its marker):\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void The_scan_finds_flags_in_every_kind_of_literal_and_not_in_comments_or_code()
    {
        const string source = """
            // a comment on --lr
            /* --batch-size, and a quote " inside */
            int n = --count; char q = '"', e = '\'';
            string a = "plain --a", b = @"verbatim ""quoted"" --b", c = $"{(n > 0 ? "hole --c" : "")} text --d {{not a hole}}";
            string d = $@"verbatim
            interpolated --e {n:E3}" + "--f"; // and --g after code
            string r = \"\"\"raw --h\"\"\";
            """;
        var literals = StringLiterals.In(source.Replace("\\\"", "\""));
        Assert.Equal(["plain --a", "verbatim \"\"quoted\"\" --b", "hole --c", "", "{} text --d {{not a hole}}",
            "verbatim\ninterpolated --e {}", "--f", "raw --h"], literals.Select(l => l.Text.ReplaceLineEndings("\n")));
        Assert.Equal([4, 4, 4, 4, 4, 5, 6, 7], literals.Select(l => l.Line));
        // Of the flags in the source, those of comments and the decrement are no literal's.
        Assert.Equal(7, literals.Count(l => Flag().IsMatch(l.Text)));
    }

    [GeneratedRegex("--[A-Za-z]")]
    private static partial Regex Flag();
}
