using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Converter.Graph;

/// <summary>
/// LayerNorm over the last axis as exporters before opset 17 spell it out in nine nodes (PyTorch's torch.onnx.export):
/// m = ReduceMean(X), d = Sub(X, m), v = ReduceMean(Pow(d, 2)), n = Div(d, Sqrt(Add(v, epsilon))), Y = Add(Mul(n, Scale), B).
/// The builder maps such a chain onto one LayerNormalization vertex, so that training runs one normalization (forward and
/// backward) instead of nine operations and their broadcasts; every rule reads that vertex through the same kernel, so
/// Z-IL stays bitwise equal to backprop. The ONNX graph itself is left as it is: export writes the nine nodes back.
/// This finds the chains by structure alone; the builder still checks the operands (a constant 2 and epsilon, a Scale
/// and B of the last axis) when it reaches the final Add, and maps the nodes one by one where they do not fit.
/// </summary>
public sealed class LayerNormPattern
{
    /// <summary>One chain: its final Add and the eight nodes before it, in the graph's order.</summary>
    public sealed record Match(NodeProto Output, IReadOnlyList<NodeProto> Inner, string X, string Exponent, string Epsilon,
        string Scale, string Bias);

    private readonly Dictionary<NodeProto, Match> _byOutput = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<NodeProto> _inner = new(ReferenceEqualityComparer.Instance);

    public static LayerNormPattern Find(GraphProto graph, IReadOnlyList<NodeProto> nodes)
    {
        var producer = new Dictionary<string, NodeProto>();
        var readers = new Dictionary<string, int>();
        foreach (var node in nodes)
        {
            foreach (var output in node.Output) if (output != "") producer[output] = node;
            foreach (var input in node.Input) if (input != "") readers[input] = readers.GetValueOrDefault(input) + 1;
        }
        foreach (var output in graph.Output) readers[output.Name] = readers.GetValueOrDefault(output.Name) + 1000;

        var pattern = new LayerNormPattern();
        foreach (var add in nodes)
            if (MatchEndingAt(add, producer, readers) is { } match)
            {
                pattern._byOutput[add] = match;
                foreach (var inner in match.Inner) pattern._inner.Add(inner);
            }
        return pattern;
    }

    public bool IsInner(NodeProto node) => _inner.Contains(node);

    public Match? EndingAt(NodeProto node) => _byOutput.GetValueOrDefault(node);

    private static Match? MatchEndingAt(NodeProto add, Dictionary<string, NodeProto> producer, Dictionary<string, int> readers)
    {
        // Each step names the node that produces an operand, and that its output is read there and nowhere else.
        NodeProto? From(string name, string opType, int expectedReaders = 1) =>
            producer.GetValueOrDefault(name) is { } n && n.OpType == opType && n.Domain is "" or "ai.onnx" && n.Output.Count == 1
            && readers.GetValueOrDefault(name) == expectedReaders ? n : null;
        (NodeProto Node, string Other)? OneOf(NodeProto binary, string opType)
        {
            if (binary.Input.Count != 2) return null;
            for (int i = 0; i < 2; i++)
                if (From(binary.Input[i], opType) is { } n) return (n, binary.Input[1 - i]);
            return null;
        }

        if (add.OpType != "Add" || add.Domain is not ("" or "ai.onnx")) return null;
        if (OneOf(add, "Mul") is not var (mul, bias)) return null;
        if (OneOf(mul, "Div") is not var (div, scale)) return null;
        if (div.Input.Count != 2 || From(div.Input[1], "Sqrt") is not { } sqrt) return null;
        if (From(sqrt.Input[0], "Add") is not { } addEpsilon || OneOf(addEpsilon, "ReduceMean") is not var (variance, epsilon)) return null;
        if (!OverLastAxis(variance) || From(variance.Input[0], "Pow") is not { } pow || pow.Input.Count != 2) return null;
        // d = X - mean is read twice: squared for the variance and divided by the deviation.
        string centred = pow.Input[0];
        if (div.Input[0] != centred || From(centred, "Sub", expectedReaders: 2) is not { } sub || sub.Input.Count != 2) return null;
        if (From(sub.Input[1], "ReduceMean") is not { } mean || !OverLastAxis(mean) || mean.Input[0] != sub.Input[0]) return null;
        return new Match(add, [mean, sub, pow, variance, addEpsilon, sqrt, div, mul], sub.Input[0], pow.Input[1], epsilon, scale, bias);
    }

    /// <summary>ReduceMean with axes = [-1] as an attribute (opset 13 and before) and keepdims = 1.</summary>
    private static bool OverLastAxis(NodeProto reduce)
    {
        if (reduce.Input.Count != 1) return false;
        var axes = reduce.Attribute.FirstOrDefault(a => a.Name == "axes");
        var keepdims = reduce.Attribute.FirstOrDefault(a => a.Name == "keepdims");
        return axes is { Ints: [-1] } && (keepdims == null || keepdims.I == 1)
            && reduce.Attribute.All(a => a.Name is "axes" or "keepdims");
    }
}
