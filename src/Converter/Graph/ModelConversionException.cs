namespace ZilOnnx.Converter.Graph;

/// <summary>
/// The model is valid ONNX but cannot be mapped onto a PCN (or trained as asked); lists every problem found. Open to
/// the trainer's refusal that names a setting, which stays a conversion error to whoever catches one.
/// </summary>
public class ModelConversionException(string file, IReadOnlyList<string> problems)
    : Exception($"{file}: " + (problems.Count == 1 ? problems[0] : $"{problems.Count} problems:\n  " + string.Join("\n  ", problems)))
{
    public string File { get; } = file;
    public IReadOnlyList<string> Problems { get; } = problems;
}
