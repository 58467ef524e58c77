using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Cli.Evaluation;

/// <summary>
/// What a model's output serves (<see cref="ServedOutput"/>: scores, or the probabilities of a final Softmax or Sigmoid,
/// or the log-probabilities of a LogSoftmax), read from the operator that computes it: for `eval`'s loss and `run`'s
/// probabilities alike.
/// </summary>
public static class ServedOutputKind
{
    /// <param name="outputName">The graph output; an Identity node in front of it is looked through.</param>
    public static ServedOutput Of(ModelProto model, string outputName)
    {
        string value = outputName;
        while (model.Graph.Node.LastOrDefault(n => n.Output.Contains(value)) is { } node)
        {
            if (node.OpType == "Identity" && node.Input.Count == 1)
            {
                value = node.Input[0];
                continue;
            }
            if (node.Domain is not ("" or "ai.onnx")) return ServedOutput.Scores;
            return node.OpType switch
            {
                "Softmax" => ServedOutput.Softmax,
                "LogSoftmax" => ServedOutput.LogSoftmax,
                "Sigmoid" => ServedOutput.Sigmoid,
                _ => ServedOutput.Scores,
            };
        }
        return ServedOutput.Scores;
    }
}
