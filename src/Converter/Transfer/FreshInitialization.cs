using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Converter.Transfer;

/// <summary>
/// `--reinit`: the model's parameters drawn afresh as torch.nn's reset_parameters draws them for the layer that reads
/// them, so a model trains from scratch: Conv, ConvTranspose, Gemm and MatMul (with its bias Add) uniform in
/// +-1/sqrt(fan_in) (kaiming_uniform_ with a = sqrt(5), fan_in = every weight dimension but the output one), RNN, LSTM
/// and GRU uniform in +-1/sqrt(hidden_size), the normalisations at scale 1 and bias 0 (BatchNormalization's running
/// statistics at mean 0 and variance 1). Values come from a seeded System.Random in initializer order: the same seed
/// gives the same model, not the numbers torch's generator would draw. Initializers no such layer reads as a parameter
/// (shape constants, an RNN's initial state, anything read by other operators) keep their values.
/// </summary>
public static class FreshInitialization
{
    /// <returns>The model and the names of the initializers drawn and of the floating-point ones kept.</returns>
    public static (ModelProto Model, IReadOnlyList<string> Drawn, IReadOnlyList<string> Kept) Apply(ModelProto original, string file,
        int seed)
    {
        var model = original.Clone();
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var producers = new Dictionary<string, NodeProto>();
        foreach (var node in graph.Node)
            foreach (string output in node.Output) producers[output] = node;
        var draws = new Dictionary<string, Func<Random, Func<double>>>();
        foreach (var node in graph.Node)
            foreach (var (input, draw) in Draws(node, producers, initializers))
                if (initializers.ContainsKey(input)) draws.TryAdd(input, draw);

        var random = new Random(seed);
        var drawn = new List<string>();
        var kept = new List<string>();
        foreach (var initializer in graph.Initializer.ToList())
        {
            if (draws.TryGetValue(initializer.Name, out var draw))
            {
                InitializerDraw.Replace(graph, initializer, [.. initializer.Dims], draw(random), file);
                drawn.Add(initializer.Name);
            }
            else if (IsFloating(initializer)) kept.Add(initializer.Name);
        }
        return (model, drawn, kept);
    }

    /// <summary>The initializer inputs of one node that torch.nn initialises, each with how its values are drawn.</summary>
    private static IEnumerable<(string Input, Func<Random, Func<double>> Draw)> Draws(NodeProto node,
        Dictionary<string, NodeProto> producers, Dictionary<string, TensorProto> initializers)
    {
        Func<Random, Func<double>> Uniform(double fanIn) => random => InitializerDraw.Uniform(random, 1 / Math.Sqrt(fanIn));
        Func<Random, Func<double>> Constant(double value) => _ => InitializerDraw.Constant(value);
        IEnumerable<(string, Func<Random, Func<double>>)> Inputs(params (int Index, Func<Random, Func<double>> Draw)[] inputs) =>
            inputs.Where(i => i.Index < node.Input.Count && node.Input[i.Index].Length > 0).Select(i => (node.Input[i.Index], i.Draw));
        long[] Dims(int index) => index < node.Input.Count && initializers.TryGetValue(node.Input[index], out var t) ? [.. t.Dims] : [];

        switch (node.OpType)
        {
            case "Conv" or "ConvTranspose" when Dims(1) is { Length: >= 3 } w:
                var convDraw = Uniform(w.Skip(1).Aggregate(1L, (a, b) => a * b));
                return Inputs((1, convDraw), (2, convDraw));
            case "Gemm" when Dims(1) is { Length: 2 } w:
                var gemmDraw = Uniform(ClassifierHead.Attribute(node, "transB") == 1 ? w[1] : w[0]);
                return Inputs((1, gemmDraw), (2, gemmDraw));
            case "MatMul" when Dims(1) is { Length: >= 2 } w:
                return Inputs((1, Uniform(w[^2])));
            case "Add" when ClassifierHead.BiasedMatMul(node, producers, initializers.ContainsKey) is ({ } matMul, { } bias)
                && initializers[matMul.Input[1]].Dims.Count >= 2:
                return [(bias, Uniform(initializers[matMul.Input[1]].Dims[^2]))];
            case "RNN" or "LSTM" or "GRU" when Dims(2) is { Length: 3 } r:
                var recurrentDraw = Uniform(ClassifierHead.Attribute(node, "hidden_size") is > 0 and var hidden ? hidden : r[^1]);
                return Inputs((1, recurrentDraw), (2, recurrentDraw), (3, recurrentDraw));
            case "BatchNormalization":
                return Inputs((1, Constant(1)), (2, Constant(0)), (3, Constant(0)), (4, Constant(1)));
            case "LayerNormalization" or "InstanceNormalization" or "GroupNormalization":
                return Inputs((1, Constant(1)), (2, Constant(0)));
            default:
                return [];
        }
    }

    private static bool IsFloating(TensorProto tensor) => ElementCast.IsFloatingPoint((TensorProto.Types.DataType)tensor.DataType);
}
