using ZilOnnx.Cli.Inference;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Distributed;
using ZilOnnx.Trainer.Kernels;
using ZilOnnx.Trainer.Training;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// Runs a command body and turns every failure a user can cause into one line on stderr and a documented
/// exit code, never a stack trace.
/// </summary>
public static class CommandRunner
{
    public static int Run(Func<int> body) => Run(body, Console.Error);

    /// <summary>The same, with the error line written to <paramref name="error"/>.</summary>
    public static int Run(Func<int> body, TextWriter error)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (ExitCodeOf(e) is { } code)
        {
            error.WriteLine($"error: {SettingFlags.MessageOf(e)}");
            return code;
        }
        catch (Exception e) when (OutOfMemory.Is(e))
        {
            // Outside a training step (which names its batch size itself): loading, evaluating, exporting.
            error.WriteLine($"error: out of memory: {OutOfMemory.Describe(e)}");
            return ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            // A failure no input should cause: still one line, with the trace only on request. Native libraries'
            // messages run on (libtorch appends its C++ frames), so only their first line is shown.
            string first = e.Message.Split('\n', 2)[0].TrimEnd();
            error.WriteLine($"error: internal error ({e.GetType().Name}): {first}");
            if (Environment.GetEnvironmentVariable("ZILONNX_DEBUG") is { Length: > 0 }) error.WriteLine(e);
            return ExitCodes.Usage;
        }
    }

    private static int? ExitCodeOf(Exception e) => e switch
    {
        VerificationFailedException => ExitCodes.VerificationFailed,
        NumericalFailureException => ExitCodes.NumericalFailure,
        CollectiveFailedException => ExitCodes.DistributedFailure,
        MpiUnavailableException or StepMemoryException => ExitCodes.BadInput,
        OnnxModelException or ModelConversionException or DataFormatException or KernelException
            or FileNotFoundException or DirectoryNotFoundException or DeviceUnavailableException
            or ExecutionProviderUnavailableException or InferenceInputException or UnauthorizedAccessException or IOException =>
                ExitCodes.BadInput,
        ArgumentException => ExitCodes.Usage,
        _ => null,
    };
}
