using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Converter.Transfer;

/// <summary>
/// The layer that produces a model's class scores, found by walking back from the graph output through the operators
/// that only reshape, activate, pool or normalise the scores: a Gemm, a MatMul (with the Add of its bias), or a Conv
/// followed by global pooling (SqueezeNet's classifier).
/// </summary>
/// <param name="Nodes">The head's nodes (the MatMul and its bias Add, or one node).</param>
/// <param name="Weight">The weight initializer and the axis of it that counts classes.</param>
/// <param name="Bias">The bias initializer, or null.</param>
/// <param name="Output">The tensor the head writes: everything downstream of it changes shape with the class count.</param>
public sealed record ClassifierHead(IReadOnlyList<NodeProto> Nodes, string Weight, int ClassAxis, string? Bias, string Output, long Classes)
{
    private static readonly HashSet<string> PassThrough = ["Softmax", "LogSoftmax", "Flatten", "Reshape", "Squeeze", "Identity", "Dropout",
        "Relu"];
    private static readonly HashSet<string> Pooling = ["GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "AveragePool"];

    public string Describe => string.Join(" + ", Nodes.Select(n => $"{n.OpType} '{n.Name}'"));

    public static ClassifierHead Find(ModelProto model, string file)
    {
        var graph = model.Graph;
        if (graph.Output.Count == 0) throw Fail(file, "the graph declares no outputs");
        var producers = new Dictionary<string, NodeProto>();
        foreach (var node in graph.Node)
            foreach (string output in node.Output) producers[output] = node;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        bool IsInitializer(string name) => initializers.ContainsKey(name);

        string tensor = graph.Output[0].Name;
        bool pooled = false;
        while (producers.TryGetValue(tensor, out var node))
        {
            if (PassThrough.Contains(node.OpType) || Pooling.Contains(node.OpType))
            {
                pooled |= Pooling.Contains(node.OpType);
                tensor = node.Input[0];
                continue;
            }
            var head = node.OpType switch
            {
                "Gemm" when node.Input.Count > 1 && IsInitializer(node.Input[1]) =>
                    new ClassifierHead([node], node.Input[1], Attribute(node, "transB") == 1 ? 0 : 1,
                        node.Input.Count > 2 && IsInitializer(node.Input[2]) ? node.Input[2] : null, tensor, 0),
                "MatMul" when IsInitializer(node.Input[1]) => new ClassifierHead([node], node.Input[1], 1, null, tensor, 0),
                "Add" when BiasedMatMul(node, producers, IsInitializer) is var (matMul, bias) && matMul != null =>
                    new ClassifierHead([matMul, node], matMul.Input[1], 1, bias, tensor, 0),
                "Conv" when pooled && IsInitializer(node.Input[1]) && Attribute(node, "group") is 0 or 1 =>
                    new ClassifierHead([node], node.Input[1], 0, node.Input.Count > 2
                        && IsInitializer(node.Input[2]) ? node.Input[2] : null, tensor, 0),
                _ => null,
            };
            if (head == null)
                throw Fail(file, $"the output '{graph.Output[0].Name}' comes from {node.OpType} node '{node.Name}'");
            var weight = initializers[head.Weight];
            bool conv = head.Nodes[0].OpType == "Conv";
            if (conv ? weight.Dims.Count < 3 : weight.Dims.Count != 2)
                throw Fail(file, $"the weight '{head.Weight}' of {head.Describe} has {weight.Dims.Count} dimensions");
            return head with { Classes = weight.Dims[head.ClassAxis] };
        }
        throw Fail(file, $"the output '{graph.Output[0].Name}' is not computed by any node");
    }

    /// <summary>An Add of an initializer and a MatMul by an initializer: torch.nn.Linear as some exporters write it.</summary>
    internal static (NodeProto? MatMul, string? Bias) BiasedMatMul(NodeProto add, Dictionary<string, NodeProto> producers, Func<string,
        bool> isInitializer)
    {
        for (int i = 0; i < 2 && add.Input.Count == 2; i++)
            if (isInitializer(add.Input[1 - i]) && producers.TryGetValue(add.Input[i], out var m) && m.OpType == "MatMul"
                && isInitializer(m.Input[1]))
                return (m, add.Input[1 - i]);
        return (null, null);
    }

    internal static long Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? 0;

    private static ModelConversionException Fail(string file, string found) =>
        new(file, [$"--num-classes: no classification head found (looked for a Gemm, a MatMul with or without a bias Add, or a Conv " +
            $"followed by global pooling, reached from the first graph output through " +
                   $"{string.Join("/", PassThrough.Concat(Pooling))}): {found}"]);
}
