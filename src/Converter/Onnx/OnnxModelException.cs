namespace ZilOnnx.Converter.Onnx;

/// <summary>
/// A model file that cannot be used as it is: unreadable, not ONNX, malformed, or outside what the converter
/// supports. The message always starts with the file path, then says what is wrong, so that the command line
/// can print it as it is (and exit with code 2) without a stack trace.
/// </summary>
public sealed class OnnxModelException : Exception
{
    public OnnxModelException(string file, string problem)
        : base($"{file}: {problem}")
    {
        File = file;
        Problem = problem;
    }

    public OnnxModelException(string file, string problem, Exception innerException)
        : base($"{file}: {problem}", innerException)
    {
        File = file;
        Problem = problem;
    }

    /// <summary>The model file the problem was found in, as the user named it.</summary>
    public string File { get; }

    /// <summary>The message without the file path in front.</summary>
    public string Problem { get; }
}
