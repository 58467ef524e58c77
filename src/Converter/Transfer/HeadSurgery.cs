using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx;
using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Converter.Transfer;

/// <summary>
/// `--num-classes N`: the model with its classification head replaced by a new one of N outputs, initialised as
/// torch.nn.Linear and torch.nn.Conv2d initialise theirs (reset_parameters: kaiming_uniform_ with a = sqrt(5), which
/// bounds the weights by 1/sqrt(fan_in), and biases uniform in the same bound), drawn from a seeded System.Random, so
/// the same seed gives the same head (not the numbers torch's own generator would draw). The rest of the graph is
/// untouched; the declared shapes downstream of the head follow the new class count, and the class names the model
/// carried (zilonnx.classes) are dropped, as they name the old classes.
/// </summary>
public static class HeadSurgery
{
    public static (ModelProto Model, ClassifierHead Head) Replace(ModelProto original, string file, int classes, int seed)
    {
        var head = ClassifierHead.Find(original, file);
        var model = original.Clone();
        var graph = model.Graph;
        foreach (string name in new[] { head.Weight, head.Bias }.OfType<string>())
            if (graph.Node.Count(n => n.Input.Contains(name)) != 1)
                throw new ModelConversionException(file,
                    [$"--num-classes: the head's initializer '{name}' is read by other nodes too, so it cannot be replaced"]);

        var random = new Random(seed);
        var weightProto = graph.Initializer.Single(t => t.Name == head.Weight);
        long[] weightShape = [.. weightProto.Dims];
        weightShape[head.ClassAxis] = classes;
        // fan_in as torch.nn.init computes it: every weight dimension except the output one (Linear: in_features; Conv: C_in * kernel).
        long fanIn = weightShape.Where((_, axis) => axis != head.ClassAxis).Aggregate(1L, (a, b) => a * b);
        double bound = 1 / Math.Sqrt(fanIn);
        InitializerDraw.Replace(graph, weightProto, weightShape, InitializerDraw.Uniform(random, bound), file);
        if (head.Bias is { } bias)
        {
            var biasProto = graph.Initializer.Single(t => t.Name == bias);
            // A bias broadcast from one value stays one value; one per class becomes one per new class.
            long[] biasShape = [.. biasProto.Dims];
            if (biasShape.Length > 0 && biasShape[^1] == head.Classes) biasShape[^1] = classes;
            InitializerDraw.Replace(graph, biasProto, biasShape, InitializerDraw.Uniform(random, bound), file);
        }
        Redeclare(graph, head, classes);
        ModelMetadata.Remove(model, ModelMetadata.ClassesKey);
        return (model, head);
    }

    /// <summary>
    /// Declared shapes downstream of the head held the old class count: intermediate ones are dropped (the converter
    /// and ONNX Runtime infer them), the graph outputs' class dimension is set to the new count.
    /// </summary>
    private static void Redeclare(GraphProto graph, ClassifierHead head, int classes)
    {
        var downstream = new HashSet<string> { head.Output };
        foreach (var node in graph.Node)
            if (node.Input.Any(downstream.Contains)) downstream.UnionWith(node.Output);
        foreach (var info in graph.ValueInfo.Where(v => downstream.Contains(v.Name)).ToList()) graph.ValueInfo.Remove(info);
        foreach (var output in graph.Output.Where(o => downstream.Contains(o.Name)))
        {
            if (output.Type?.TensorType?.Shape is not { Dim.Count: > 0 } shape) continue;
            var dim = shape.Dim[Math.Min(1, shape.Dim.Count - 1)];
            if (dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue) dim.DimValue = classes;
        }
    }
}
