using ZilOnnx.Converter.Onnx.Proto;

namespace ZilOnnx.Converter.Graph;

/// <summary>
/// Trainable initializers that several nodes read. Exporters merge initializers of equal value (torch.onnx.export
/// keeps one of two all-zero biases, or of a TransformerEncoder's identical layer copies at initialization, and feeds
/// the other reader through an Identity), so a parameter the source framework trained separately arrives as one.
/// Left shared, Z-IL trains it as one parameter (the readers' terms summed, as BP does); untied, every reader gets its
/// own initializer and trains as the framework's separate parameters did.
/// </summary>
public static class SharedInitializers
{
    /// <summary>The parameters of <paramref name="graph"/> read by several nodes, each with its readers in untying order.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<NodeProto>> Of(PcGraph graph) =>
        Readers(graph.Model, graph.Parameters.Select(p => p.Name).ToHashSet());

    /// <summary>
    /// A copy of <paramref name="model"/> where every shared parameter's first reader keeps the initializer and each
    /// further reader reads a copy of its own, <c>NAME.untied.K</c>, added beside it. Readers go in node order, except
    /// that pass-throughs (Identity) come last: the node that computes with the initializer keeps its name.
    /// </summary>
    public static ModelProto Untie(PcGraph graph)
    {
        var model = graph.Model.Clone();
        var readers = Readers(model, graph.Parameters.Select(p => p.Name).ToHashSet());
        var taken = AllNames(model.Graph);
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var (name, nodes) in readers)
            foreach (var node in nodes.Skip(1))
            {
                string copyName = FreeName(name, taken);
                var copy = initializers[name].Clone();
                copy.Name = copyName;
                model.Graph.Initializer.Add(copy);
                // Models of IR version 3 list every initializer as a graph input too.
                if (model.Graph.Input.FirstOrDefault(i => i.Name == name) is { } declared)
                {
                    var input = declared.Clone();
                    input.Name = copyName;
                    model.Graph.Input.Add(input);
                }
                for (int i = 0; i < node.Input.Count; i++)
                    if (node.Input[i] == name) node.Input[i] = copyName;
            }
        return model;
    }

    /// <summary>How a node is named in messages: its name, or its operator and position when it has none.</summary>
    public static string Describe(ModelProto model, NodeProto node) =>
        node.Name is { Length: > 0 } name ? name : $"{node.OpType} #{model.Graph.Node.IndexOf(node)}";

    private static Dictionary<string, IReadOnlyList<NodeProto>> Readers(ModelProto model, HashSet<string> parameters)
    {
        var readers = new Dictionary<string, List<NodeProto>>();
        foreach (var node in model.Graph.Node)
            foreach (string input in node.Input.Distinct())
                if (parameters.Contains(input))
                {
                    if (!readers.TryGetValue(input, out var list)) readers[input] = list = [];
                    list.Add(node);
                }
        return readers.Where(r => r.Value.Count > 1)
            .ToDictionary(r => r.Key, r => (IReadOnlyList<NodeProto>)r.Value.OrderBy(n => n.OpType == "Identity").ToList());
    }

    private static HashSet<string> AllNames(GraphProto graph) =>
        [.. graph.Initializer.Select(t => t.Name), .. graph.Input.Select(i => i.Name), .. graph.Output.Select(o => o.Name),
         .. graph.ValueInfo.Select(v => v.Name), .. graph.Node.SelectMany(n => n.Input.Concat(n.Output))];

    private static string FreeName(string name, HashSet<string> taken)
    {
        for (int k = 1; ; k++)
        {
            string candidate = $"{name}.untied.{k}";
            if (taken.Add(candidate)) return candidate;
        }
    }
}
