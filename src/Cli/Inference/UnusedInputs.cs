using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Cli.Inference;

/// <summary>
/// Graph inputs no node reads (Caffe2 conversions in the ONNX model zoo declare one beside the real input,
/// <see cref="ModelInputs.UnusedInputNames"/>). Training ignores them, and ONNX Runtime runs the graph without a value for
/// them, so `eval` and `run --engine ort` leave them out too; every command says so in the same note.
/// </summary>
public static class UnusedInputs
{
    /// <summary>The note every command prints for such inputs, or null when the model has none.</summary>
    public static string? Note(string path, ModelProto model)
    {
        var unused = ModelInputs.UnusedInputNames(model);
        if (unused.Count == 0) return null;
        bool several = unused.Count > 1;
        return $"{path}: graph input{(several ? "s" : "")} {string.Join(", ", unused.Select(n => $"'{n}'"))} " +
               $"{(several ? "are" : "is")} read by no node: ignored (the exported model keeps {(several ? "them" : "it")})";
    }
}
