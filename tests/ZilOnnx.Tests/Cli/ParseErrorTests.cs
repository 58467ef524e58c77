using ZilOnnx.Tests.TestSupport;

namespace ZilOnnx.Tests.Cli;

/// <summary>
/// What System.CommandLine itself finds wrong (a value that does not parse, an unknown option, a missing one) is said
/// like any usage error: exit code 1, one line on stderr starting with `error:`, the kind of value in words rather than
/// a .NET type name, and no help text dumped after it.
/// </summary>
public sealed class ParseErrorTests
{
    private static string[] Finetune(params string[] extra) =>
        ["finetune", Fixtures.PathOf("mlp.onnx"), "--data", Fixtures.PathOf("mlp.mse.npz"), "-o", Path.Combine(Path.GetTempPath(), "zilonnx-parse-never-written.onnx"), .. extra];

    public static TheoryData<string[], string> Cases() => new()
    {
        { Finetune("--batch-size", "1.5"), "error: --batch-size expects a whole number, got '1.5'" },
        { Finetune("--steps", "1e3"), "error: --steps expects a whole number, got '1e3'" },
        { Finetune("--batch-size", "99999999999"), "error: --batch-size expects a whole number from -2147483648 to 2147483647, got '99999999999'" },
        { Finetune("--lr", "fast"), "error: --lr expects a number (e.g. 0.01 or 1e-3), got 'fast'" },
        { Finetune("--bogus"), "error: '--bogus' is not a command, option or argument of `zilonnx finetune` (see `zilonnx finetune --help`)" },
        { ["finetune", Fixtures.PathOf("mlp.onnx")], "error: --data is required; --output is required" },
        { ["run", Fixtures.PathOf("mlp.onnx"), "--data", "in.npz", "-o", "out.npz", "--engine", "tensorrt"], "error: --engine 'tensorrt' is not one of 'pcn', 'ort'" },
        { Finetune("--steps", "1", "--steps", "2"), "error: --steps takes one value, and 2 were given" },
        { ["finetun"], "error: 'finetun' is not a command, option or argument of `zilonnx` (see `zilonnx --help`)" },
        { [], "error: give a command (see `zilonnx --help`)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_one_error_line_with_exit_code_1(string[] arguments, string expected)
    {
        var run = CliProcess.Run(arguments);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal(expected, Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)).TrimEnd('\r'));
        Assert.DoesNotContain("System.", run.Error);
        Assert.True(run.Output.Length == 0, $"help or other output after a parse error:\n{run}");
    }

    [Fact]
    public void A_well_formed_value_still_parses()
    {
        // The negative control of the cases above: the same options with values of their kind get past parsing (the
        // run itself is cut short by a model that does not exist, exit code 2).
        var run = CliProcess.Run("finetune", "no-such-model.onnx", "--data", Fixtures.PathOf("mlp.mse.npz"), "-o", "o.onnx", "--batch-size", "2", "--steps", "1000", "--lr", "1e-3");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: no-such-model.onnx", run.Error);
    }
}
