namespace ZilOnnx.Converter.Graph;

/// <summary>
/// The Z-IL schedule (docs/algorithms.md C2): d(v) is the number of value-node hops from v to the training output, and
/// levelling (rule 2) makes that number the same along every path.
/// </summary>
public static class Schedule
{
    /// <summary>Sets d(v) to the longest path from v to the output; vertices that do not reach it get -1.</summary>
    public static void AssignDepths(IReadOnlyList<Vertex> topological, Vertex output)
    {
        foreach (var v in topological) v.Depth = -1;
        output.Depth = 0;
        for (int i = topological.Count - 1; i >= 0; i--)
        {
            var consumer = topological[i];
            if (!consumer.ReachesOutput) continue;
            foreach (var source in consumer.VertexInputs)
                source.Depth = Math.Max(source.Depth, consumer.Depth + 1);
        }
    }

    /// <summary>
    /// How many identity vertices <see cref="Level"/> would add, counted without creating any. A chain of recurrent
    /// steps that all feed one vertex (an RNN's sequence output) needs chains of every length up to the sequence
    /// length, so the count grows with the square of a dimension the file declares.
    /// </summary>
    public static long LevellingVertexCount(IReadOnlyList<Vertex> topological)
    {
        // Each source gets one chain, long enough for its lowest consumer: from depth d(u) - 1 down to d(c) + 1.
        var lowest = new Dictionary<Vertex, int>();
        foreach (var consumer in topological.Where(PcGraph.IsFree))
            foreach (var source in consumer.VertexInputs)
                if (!source.FromDataAlone && source.Depth > consumer.Depth + 1)
                    lowest[source] = Math.Min(lowest.GetValueOrDefault(source, int.MaxValue), consumer.Depth);
        return lowest.Sum(entry => (long)entry.Key.Depth - 1 - entry.Value);
    }

    /// <summary>
    /// Returns the vertex list with identity vertices inserted on every edge u -> c out of a free vertex where d(u) > d(c) + 1, so
    /// that c reads a copy of u whose depth is d(c) + 1. The copies of one source form a single chain that
    /// consumers at different depths tap at their own level.
    /// </summary>
    public static List<Vertex> Level(IReadOnlyList<Vertex> topological)
    {
        var chains = new Dictionary<Vertex, List<Vertex>>();
        foreach (var consumer in topological.Where(PcGraph.IsFree))
        {
            for (int slot = 0; slot < consumer.Operands.Count; slot++)
            {
                if (consumer.Operands[slot] is not Operand.FromVertex { Source: var source }) continue;
                // Data is clamped at every step, so a consumer at any depth may read it directly.
                if (source.FromDataAlone || source.Depth <= consumer.Depth + 1) continue;
                consumer.Operands[slot] = new Operand.FromVertex(ChainLink(chains, source, consumer.Depth + 1));
            }
        }
        var result = new List<Vertex>();
        foreach (var v in topological)
        {
            result.Add(v);
            if (chains.TryGetValue(v, out var chain)) result.AddRange(chain);
        }
        return result;
    }

    private static Vertex ChainLink(Dictionary<Vertex, List<Vertex>> chains, Vertex source, int depth)
    {
        if (!chains.TryGetValue(source, out var chain)) chains[source] = chain = [];
        // chain[k] has depth source.Depth - 1 - k; extend it down to the requested depth.
        while (source.Depth - chain.Count > depth)
        {
            var previous = chain.Count == 0 ? source : chain[^1];
            var link = new Vertex($"{source.Name}#level{chain.Count + 1}", $"levelling of '{source.Name}'", IdentitySpec.Instance,
                [new Operand.FromVertex(previous)], VertexKind.Levelling)
            {
                Depth = previous.Depth - 1,
                Shape = source.Shape,
            };
            chain.Add(link);
        }
        return chain[source.Depth - 1 - depth];
    }
}
