using System.Runtime.InteropServices;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;

namespace ZilOnnx.Tests.Cli;

/// <summary>How a command's failure becomes its exit code and its one line on stderr.</summary>
public sealed class CommandRunnerTests
{
    private static (int Code, string[] Lines) Run(Exception thrown)
    {
        using var error = new StringWriter();
        int code = CommandRunner.Run(() => throw thrown, error);
        return (code, error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Bad_model_files_are_exit_code_2_with_their_message()
    {
        var (code, lines) = Run(new OnnxModelException("m.onnx", "the graph has a cycle"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("error: m.onnx: the graph has a cycle", Assert.Single(lines));

        (code, lines) = Run(new ModelConversionException("m.onnx", ["node 'if' (If, opset 13): operator not supported"]));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("error: m.onnx: node 'if' (If, opset 13): operator not supported", Assert.Single(lines));
    }

    [Fact]
    public void An_internal_error_from_a_native_library_is_one_line_without_its_native_frames()
    {
        // libtorch's messages carry its C++ stack after the first line.
        var (code, lines) = Run(new ExternalException("The size of tensor a (5) must match the size of tensor b (7)\n" +
            "Exception raised from infer_size_impl at ExpandUtils.cpp:31 (most recent call first):\nframe #0: c10::Error::Error(...)"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("error: internal error (ExternalException): The size of tensor a (5) must match the size of tensor b (7)", Assert.Single(lines));
    }
}
