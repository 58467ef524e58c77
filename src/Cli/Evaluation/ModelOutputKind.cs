using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Cli.Evaluation;

/// <summary>Whether a model's output holds logits, probabilities or log-probabilities, read from the operator that computes it.</summary>
public static class ModelOutputKind
{
    /// <param name="outputName">The graph output; an Identity node in front of it is looked through.</param>
    public static OutputKind Of(ModelProto model, string outputName)
    {
        string value = outputName;
        while (model.Graph.Node.LastOrDefault(n => n.Output.Contains(value)) is { } node)
        {
            if (node.OpType == "Identity" && node.Input.Count == 1)
            {
                value = node.Input[0];
                continue;
            }
            if (node.Domain is not ("" or "ai.onnx")) return OutputKind.Logits;
            return node.OpType switch { "Softmax" => OutputKind.Probabilities, "LogSoftmax" => OutputKind.LogProbabilities, _ => OutputKind.Logits };
        }
        return OutputKind.Logits;
    }
}
