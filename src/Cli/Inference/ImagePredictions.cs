using System.Text.Json.Serialization;
using ZilOnnx.Cli.Evaluation;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Cli.Inference;

/// <summary>One of an image's most probable classes.</summary>
public sealed record ClassProbability(
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("probability")] double Probability);

/// <summary>An image file and its most probable classes, most probable first.</summary>
public sealed record ImagePrediction(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("top")] IReadOnlyList<ClassProbability> Top);

/// <summary>
/// What `run` says about each image: the classes a [N, C] output gives it the highest probability. The output is
/// taken as probabilities where the model computes them (a final Softmax, or a final Sigmoid's independent ones for
/// multi-label models; a final LogSoftmax is exponentiated), and as logits otherwise, which a softmax turns into
/// probabilities (<see cref="ServedOutputKind"/>).
/// </summary>
public static class ImagePredictions
{
    /// <param name="names">The name of each class (index order).</param>
    /// <param name="top">How many classes to give per image (at most the classes there are).</param>
    public static IReadOnlyList<ImagePrediction> Of(IReadOnlyList<string> files, HostTensor output, ModelProto model, string outputName,
        IReadOnlyList<string> names, int top)
    {
        int classes = checked((int)output.Shape[1]);
        var served = ServedOutputKind.Of(model, outputName);
        var predictions = new List<ImagePrediction>(files.Count);
        for (int n = 0; n < files.Count; n++)
        {
            var probabilities = Probabilities(output.Values.AsSpan(n * classes, classes), served);
            var best = Enumerable.Range(0, classes).OrderByDescending(c => probabilities[c]).ThenBy(c => c).Take(top)
                .Select(c => new ClassProbability(names[c], c, probabilities[c])).ToList();
            predictions.Add(new ImagePrediction(files[n], best));
        }
        return predictions;
    }

    private static double[] Probabilities(ReadOnlySpan<double> row, ServedOutput served)
    {
        var result = new double[row.Length];
        switch (served)
        {
            case ServedOutput.Softmax or ServedOutput.Sigmoid:
                row.CopyTo(result);
                break;
            case ServedOutput.LogSoftmax:
                for (int c = 0; c < row.Length; c++) result[c] = Math.Exp(row[c]);
                break;
            default:
                // The largest logit is subtracted first, so that no exponential overflows.
                double max = double.NegativeInfinity;
                foreach (double v in row) max = Math.Max(max, v);
                double sum = 0;
                for (int c = 0; c < row.Length; c++) sum += result[c] = Math.Exp(row[c] - max);
                for (int c = 0; c < row.Length; c++) result[c] /= sum;
                break;
        }
        return result;
    }
}
