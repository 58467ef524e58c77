namespace ZilOnnx.Converter.Graph;

/// <summary>A plain, serializable description of a PCN graph: what `inspect --json` prints and a .pcn file records.</summary>
public sealed record PcGraphDescription(
    int Opset,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    string TrainingOutput,
    bool Levelled,
    int Depth,
    IReadOnlyList<string> Operators,
    IReadOnlyList<PcGraphDescription.ParameterEntry> Parameters,
    IReadOnlyList<PcGraphDescription.VertexEntry> Vertices,
    IReadOnlyList<string> LevellingVertices)
{
    /// <param name="SharedBy">The nodes that read the initializer when there are several (<see cref="SharedInitializers"/>), else
    /// empty.</param>
    public sealed record ParameterEntry(string Name, long[] Shape, long Count, string ElementType, IReadOnlyList<string> Transforms,
        int Copies,
        IReadOnlyList<string> SharedBy);

    /// <param name="FromDataAlone">Computed from the data inputs alone: clamped like them, never free
    /// (<see cref="Vertex.FromDataAlone"/>).</param>
    public sealed record VertexEntry(string Name, string Node, string Op, string Kind, int Depth, IReadOnlyList<string> Inputs,
        long[] Shape, bool FromDataAlone = false);

    public static PcGraphDescription Of(PcGraph graph)
    {
        var transforms = TransformsByParameter(graph);
        var shared = SharedInitializers.Of(graph);
        return new(
            graph.Opset,
            graph.DataInputs.Select(v => v.Name).ToList(),
            graph.GraphOutputs.Keys.ToList(),
            graph.TrainingOutput.Name,
            graph.Levelled,
            graph.MaxDepth,
            graph.Model.Graph.Node.Select(n => n.OpType).Distinct().OrderBy(o => o, StringComparer.Ordinal).ToList(),
            graph.Parameters.Select(p => new ParameterEntry(p.Name, p.Shape, p.Initial.Count, p.Initial.ElementType.ToString(),
                transforms.GetValueOrDefault(p) ?? [], p.Readers.Count,
                shared.TryGetValue(p.Name, out var readers) ? readers.Select(n => SharedInitializers.Describe(graph.Model,
                    n)).ToList() : [])).ToList(),
            graph.Vertices.Select(v => new VertexEntry(v.Name, v.NodeName, v.Op.OpType, v.Kind.ToString(), v.Depth,
                v.Operands.Select(Describe).ToList(), v.Shape, v.FromDataAlone)).ToList(),
            graph.Vertices.Where(v => v.Kind == VertexKind.Levelling).Select(v => v.Name).ToList());
    }

    /// <summary>
    /// Each parameter's transforms, in the order the vertices first read them, in one pass over the operands (a
    /// pass per parameter would be quadratic in the size of the model).
    /// </summary>
    private static Dictionary<Parameter, List<string>> TransformsByParameter(PcGraph graph)
    {
        var transforms = new Dictionary<Parameter, List<string>>();
        var seen = new HashSet<(Parameter, string)>();
        foreach (var operand in graph.Vertices.SelectMany(v => v.Operands).OfType<Operand.FromParameter>())
            foreach (var t in operand.View.Chain)
            {
                string label = $"{t.Op.OpType} ({t.NodeName})";
                if (!seen.Add((operand.View.Root, label))) continue;
                if (!transforms.TryGetValue(operand.View.Root, out var list)) transforms[operand.View.Root] = list = [];
                list.Add(label);
            }
        return transforms;
    }

    private static string Describe(Operand operand) => operand switch
    {
        Operand.FromVertex v => v.Source.Name,
        Operand.FromParameter p => "param:" + p.View.Root.Name,
        Operand.FromConstant c => "const:" + c.Value,
        _ => "absent",
    };
}
