using System.Runtime.InteropServices;
using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Distributed;
using ZilOnnx.Trainer.Settings;
using ZilOnnx.Trainer.Training;

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

    [Fact]
    public void Memory_that_runs_out_is_exit_code_2_in_one_line_never_an_internal_error()
    {
        // libtorch's allocator failing outside a step (a step names its batch size itself, below).
        var (code, lines) = Run(new ExternalException("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: " +
            "you tried to allocate 200704000 bytes. Error code 12 (Cannot allocate memory)\nframe #0: c10::ThrowEnforceNotMet(...)"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("error: out of memory: can't allocate memory: you tried to allocate 200704000 bytes. Error code 12 (Cannot allocate memory)", Assert.Single(lines));

        (code, lines) = Run(new ExternalException("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.10 GiB total capacity)\nframe #0: ..."));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("error: out of memory: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.10 GiB total capacity)", Assert.Single(lines));

        // .NET's own, also when it is the reason a task could not start.
        (code, lines) = Run(new TaskSchedulerException(new OutOfMemoryException()));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("error: out of memory: the .NET runtime could not allocate memory", Assert.Single(lines));

        (code, lines) = Run(new StepMemoryException(
            $"{Setting.BatchSize} 60000: step 1 ran out of memory (...); use a smaller {Setting.BatchSize}"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("error: --batch-size 60000: step 1 ran out of memory (...); use a smaller --batch-size", Assert.Single(lines));
    }

    [Fact]
    public void A_native_failure_that_is_not_about_memory_stays_an_internal_error()
    {
        var (code, lines) = Run(new ExternalException("Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: internal error (ExternalException)", Assert.Single(lines));

        // Without an address-space limit (the test process has none), a libtorch that does not load is a broken install.
        (code, lines) = Run(new TypeInitializationException("TorchSharp.torch", new NotSupportedException("could not load libtorch")));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: internal error (TypeInitializationException)", Assert.Single(lines));
    }

    [Fact]
    public void Errors_that_name_a_setting_keep_their_exit_code_and_name_it_by_its_flag()
    {
        var cases = new (Exception Thrown, int Code, string Line)[]
        {
            (new NumericalFailureException($"step 3: over {Setting.MaxLossGrowth} 10000 (a smaller {Setting.LearningRate} may keep it stable)"),
                ExitCodes.NumericalFailure, "error: step 3: over --max-loss-growth 10000 (a smaller --lr may keep it stable)"),
            (new DataFormatException("d.npz", "x", $"{Setting.Mean} gives 2 values"), ExitCodes.BadInput,
                "error: d.npz, array 'x': --mean gives 2 values"),
            (new DeviceUnavailableException($"device 'cuda': absent. Use {Setting.Device} cpu"), ExitCodes.BadInput,
                "error: device 'cuda': absent. Use --device cpu"),
            (new MpiUnavailableException($"{Setting.Distributed} mpi needs Open MPI"), ExitCodes.BadInput,
                "error: --distributed mpi needs Open MPI"),
            (new ModelSettingException("m.onnx", $"batch statistics split; use {Setting.BatchNormStatistics} frozen"), ExitCodes.BadInput,
                "error: m.onnx: batch statistics split; use --bn frozen"),
            (new SettingException($"{Setting.DataBudget} must be a positive number"), ExitCodes.Usage,
                "error: --max-data-gb must be a positive number"),
        };
        foreach (var (thrown, expectedCode, expectedLine) in cases)
        {
            var (code, lines) = Run(thrown);
            Assert.Equal(expectedCode, code);
            Assert.Equal(expectedLine, Assert.Single(lines));
        }
    }

    [Fact]
    public void A_model_setting_error_is_a_conversion_error_that_names_the_setting_by_parameter_in_the_library()
    {
        ModelConversionException e = new ModelSettingException("m.onnx", $"use {Setting.BatchNormStatistics} frozen");
        Assert.Equal("m.onnx: use batchNormStatistics frozen", e.Message);
        Assert.Equal(["use batchNormStatistics frozen"], e.Problems);
    }
}
