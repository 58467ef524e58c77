using System.Text.RegularExpressions;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Build;

/// <summary>
/// The README's set-up is two commands, the main job and the tests, and CI runs the very test command the README
/// gives: a reader who follows the README runs what CI runs.
/// </summary>
public sealed class ReadmeSetupTests
{
    private static IReadOnlyList<string> SetUpCommands()
    {
        string readme = File.ReadAllText(Repository.PathOf("README.md"));
        var section = Regex.Match(readme, @"## Set-up: two commands\s.*?```\n(.*?)```", RegexOptions.Singleline);
        Assert.True(section.Success, "README.md has no '## Set-up: two commands' section with a code block");
        return section.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('#')[0].Trim()).Where(line => line.Length > 0).ToList();
    }

    [Fact]
    public void The_readme_gives_exactly_two_set_up_commands_both_executable_scripts_of_the_repository()
    {
        var commands = SetUpCommands();
        Assert.Equal(2, commands.Count);
        foreach (string command in commands)
        {
            string script = Repository.PathOf(command.Split(' ')[0]);
            Assert.True(File.Exists(script), $"{command}: no such script");
            if (!OperatingSystem.IsWindows())
                Assert.True((File.GetUnixFileMode(script) & UnixFileMode.UserExecute) != 0, $"{command}: not executable");
        }
    }

    [Fact]
    public void Ci_runs_the_readmes_test_command()
    {
        string testCommand = SetUpCommands()[1];
        var ciLines = File.ReadAllLines(Repository.PathOf(".ci", "run")).Select(l => l.Trim()).Where(l => !l.StartsWith('#')).ToList();
        Assert.Contains(ciLines, line => line == testCommand || line == "exec " + testCommand);
    }

    [Fact]
    public void The_main_job_fine_tunes_a_shipped_model_with_zil_verifies_exports_and_evaluates_it()
    {
        string script = File.ReadAllText(Repository.PathOf(SetUpCommands()[0].Split(' ')[0]));
        var model = Regex.Match(script, @"finetune (models/\S+\.onnx)");
        Assert.True(model.Success, "the main job runs no `finetune` of a model under models/");
        Assert.True(File.Exists(Repository.PathOf(model.Groups[1].Value)), $"{model.Groups[1].Value} is not shipped");
        Assert.Contains("--rule zil", script);
        Assert.Contains("--verify-every 1", script);
        Assert.Matches(@"eval \S+finetuned\.onnx", script);
    }
}
