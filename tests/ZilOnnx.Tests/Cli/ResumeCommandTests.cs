using System.CommandLine;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli;

/// <summary>The command printed to resume a run: the run's own command line, the model replaced by the checkpoint, quoted for a shell.</summary>
public sealed class ResumeCommandTests
{
    private readonly Argument<string> Model = new("MODEL");
    private readonly Option<string> Data = new("--data");
    private readonly Option<string> Output = new("--output", "-o");
    private readonly Option<string[]> Ablate = new("--ablate") { AllowMultipleArgumentsPerToken = true };
    private readonly Option<bool> Force = new("--force");

    private ParseResult Parse(params string[] args)
    {
        var finetune = new Command("finetune") { Model, Data, Output, Ablate, Force };
        var parse = new RootCommand { finetune }.Parse(args);
        Assert.Empty(parse.Errors);
        return parse;
    }

    [Fact]
    public void The_model_is_replaced_and_every_other_word_kept_in_order()
    {
        var parse = Parse("finetune", "m.onnx", "--data=d.npz", "--ablate", "no-levelling", "all-steps", "-o", "out.onnx");
        Assert.Equal("zilonnx finetune run.pcn --data d.npz --ablate no-levelling all-steps -o out.onnx", ResumeCommand.For(parse, Model, "run.pcn"));
        Assert.Equal(["finetune", "m.onnx", "--data", "d.npz", "--ablate", "no-levelling", "all-steps", "-o", "out.onnx"], ResumeCommand.Words(parse));
    }

    [Fact]
    public void Only_the_model_argument_is_replaced_not_another_word_with_its_text()
    {
        // -o names the input model itself (finetune allows it with --force): that word stays, and --force goes.
        var parse = Parse("finetune", "m.onnx", "-o", "m.onnx", "--force", "--data", "d.npz");
        Assert.Equal("zilonnx finetune run.pcn -o m.onnx --data d.npz", ResumeCommand.For(parse, Model, "run.pcn", Force));
        var explicitValue = Parse("finetune", "m.onnx", "--force", "true", "-o", "out.onnx");
        Assert.Equal("zilonnx finetune run.pcn -o out.onnx", ResumeCommand.For(explicitValue, Model, "run.pcn", Force));
    }

    [Theory]
    [InlineData("plain-name_1.2,x:y@z%+=")]
    [InlineData("with space")]
    [InlineData("it's")]
    [InlineData("$HOME and `date` and \"quotes\" \\ ;|&*?[]~!#")]
    [InlineData("line\nbreak")]
    [InlineData("")]
    public void Every_word_comes_back_from_a_shell_as_it_was(string word)
    {
        if (OperatingSystem.IsWindows()) return; // a POSIX shell's quoting; the supported platform is Linux
        var parse = Parse("finetune", "m.onnx", "--data", word, "-o", "out.onnx");
        string command = ResumeCommand.For(parse, Model, "my run's checkpoint.pcn");
        Assert.Equal(["zilonnx", "finetune", "my run's checkpoint.pcn", "--data", word, "-o", "out.onnx"], PosixShell.Words(command));
    }

    [Fact]
    public void A_word_without_special_characters_is_left_unquoted()
    {
        Assert.Equal("a/b.onnx", ResumeCommand.Quote("a/b.onnx"));
        Assert.Equal("'a b'", ResumeCommand.Quote("a b"));
        Assert.Equal("''", ResumeCommand.Quote(""));
    }
}
