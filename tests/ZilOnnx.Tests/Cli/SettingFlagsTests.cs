using System.Reflection;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Cli.Commands;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Tests.Cli;

/// <summary>The Trainer library names settings by parameter; the command line says them with the flags that give them.</summary>
public sealed class SettingFlagsTests
{
    [Fact]
    public void Every_setting_the_library_names_is_said_with_a_flag_finetune_accepts()
    {
        var command = FinetuneCommand.Create();
        var accepted = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).ToHashSet();
        var markers = typeof(Setting).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.NotEmpty(markers);
        foreach (string marker in markers) Assert.Contains(SettingFlags.Say(marker), accepted);
    }

    [Fact]
    public void A_refused_setting_names_its_parameter_in_the_library_and_its_flag_on_the_command_line()
    {
        var e = Assert.Throws<SettingException>(() => RuleFactory.Create("il", inferenceSteps: 0));
        Assert.Equal($"inferenceSteps (T) of rule il must be from 1 to {Il.MaxInferenceSteps}, not 0", e.Message);
        Assert.Equal($"--inference-steps (T) of rule il must be from 1 to {Il.MaxInferenceSteps}, not 0", SettingFlags.MessageOf(e));
    }

    [Fact]
    public void Other_errors_keep_their_message()
    {
        var e = new ArgumentException("--batch-size must be positive");
        Assert.Equal(e.Message, SettingFlags.MessageOf(e));
    }
}
