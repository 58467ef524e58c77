using System.Text.RegularExpressions;
using System.Xml.Linq;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli;

/// <summary>
/// The conventions every command follows: `--version`, an "Examples:" section in each command's help whose
/// options the command has, and completions through System.CommandLine's `[suggest]` directive.
/// </summary>
public sealed class CommandLineConventionsTests
{
    [Fact]
    public void Version_prints_the_version_set_in_Directory_Build_props()
    {
        string expected = XDocument.Load(Repository.PathOf("Directory.Build.props")).Descendants("VersionPrefix").Single().Value;
        var run = CliProcess.Run("--version");
        Assert.True(run.ExitCode == 0, run.ToString());
        // The SDK appends the commit it was built from when the sources are a git checkout.
        Assert.Matches($"^{Regex.Escape(expected)}(\\+[0-9a-f]{{40}})?$", run.Output.Trim());
    }

    [Fact]
    public void The_root_help_has_examples()
    {
        var run = CliProcess.Run("--help");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.NotEmpty(Examples(run.Output));
    }

    [Fact]
    public void Every_command_help_has_examples_that_use_only_its_own_options()
    {
        var commands = Commands(CliProcess.Run("--help").Output);
        Assert.Contains("finetune", commands);
        foreach (string command in commands)
        {
            var run = CliProcess.Run(command, "--help");
            Assert.True(run.ExitCode == 0, run.ToString());
            var examples = Examples(run.Output);
            Assert.True(examples.Any(e => e.StartsWith($"zilonnx {command}", StringComparison.Ordinal)),
                $"`zilonnx {command} --help` has no example line starting with `zilonnx {command}`:\n{run.Output}");
            var options = Section(run.Output, "Options:").SelectMany(line => Regex.Matches(line, @"(?<![\w-])--?[a-z][\w-]*").Select(m => m.Value)).ToHashSet();
            foreach (string example in examples)
                foreach (string word in example.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.StartsWith('-')))
                    Assert.True(options.Contains(word), $"the example `{example}` uses {word}, which `zilonnx {command} --help` does not list");
        }
    }

    [Theory]
    [InlineData("zilonnx finet", "finetune")]
    [InlineData("zilonnx verify --pr", "--precision")]
    [InlineData("zilonnx ", "inspect")]
    public void The_suggest_directive_completes_commands_and_options(string line, string completion)
    {
        var run = CliProcess.Run($"[suggest:{line.Length}]", line);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(completion, run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void The_suggest_directive_offers_every_command_of_the_help()
    {
        var run = CliProcess.Run("[suggest:8]", "zilonnx ");
        var completions = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.All(Commands(CliProcess.Run("--help").Output), c => Assert.Contains(c, completions));
    }

    [Fact]
    public void The_bash_completion_script_completes_commands_and_options()
    {
        using var temp = new TempDirectory();
        // `zilonnx` on the PATH is the program built next to the tests.
        string program = temp.File("zilonnx");
        File.WriteAllText(program, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "zilonnx.dll")}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string script = $$"""
            source '{{Repository.PathOf("scripts", "completion", "zilonnx.bash")}}'
            complete() { COMP_LINE="$1"; COMP_POINT=${#1}; read -ra COMP_WORDS <<<"$1"; [[ $1 == *" " ]] && COMP_WORDS+=("")
                         COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _zilonnx_complete; echo "${COMPREPLY[*]}"; }
            complete "zilonnx fi"; complete "zilonnx ver"; complete "zilonnx verify --pr"; complete "zilonnx verify model.o"
            """;
        var start = new System.Diagnostics.ProcessStartInfo("bash", ["--norc", "--noprofile", "-c", script])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["PATH"] = temp.Path + ":" + Environment.GetEnvironmentVariable("PATH");
        using var bash = System.Diagnostics.Process.Start(start)!;
        string output = bash.StandardOutput.ReadToEnd(), error = bash.StandardError.ReadToEnd();
        bash.WaitForExit();
        Assert.True(bash.ExitCode == 0, error);
        // "ver" also matches convert and --version inside the word: bash keeps only completions that start with it.
        Assert.Equal(["finetune", "verify", "--precision", ""], output.Split('\n')[..4]);
    }

    /// <summary>The indented lines after a heading line, up to the first blank line.</summary>
    private static List<string> Section(string help, string heading) =>
        help.Split('\n').Select(l => l.TrimEnd('\r')).SkipWhile(l => l != heading).Skip(1)
            .TakeWhile(l => l.Trim().Length > 0).Select(l => l.Trim()).ToList();

    private static List<string> Examples(string help) => Section(help, "Examples:");

    private static List<string> Commands(string rootHelp) => Section(rootHelp, "Commands:").Select(l => l.Split(' ')[0]).ToList();
}
