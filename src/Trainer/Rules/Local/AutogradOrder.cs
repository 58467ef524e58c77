using System.Runtime.CompilerServices;
using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// The order in which backprop's one autograd call runs the vertices' backward nodes, so that Z-IL can add up what
/// several readers send a value or a parameter in that order (<see cref="ErrorSums"/>, <see cref="ParameterTerms"/>).
/// libtorch's engine runs a node once every node that consumes its output has run, and of the nodes ready to run, the one
/// created last (its sequence number). Backprop's forward pass creates each vertex's nodes together, in the graph's vertex
/// order, so a vertex that has begun runs to its end before any other, and the engine's order is this simulation's: from
/// the output, always the ready vertex of the highest index. It is not the schedule's level order where branches run side
/// by side (ShuffleNetV2's two branches, which autograd runs one after the other, the one created last first).
/// </summary>
internal sealed class AutogradOrder
{
    private static readonly ConditionalWeakTable<PcGraph, AutogradOrder> Computed = new();

    private AutogradOrder(Dictionary<Vertex, int> rank, Dictionary<Vertex, Vertex[]> readers)
    {
        Rank = rank;
        ReadersInOrder = readers;
    }

    /// <summary>Each vertex autograd runs a backward node for, and its place in the engine's order (0: the output's).</summary>
    public IReadOnlyDictionary<Vertex, int> Rank { get; }

    /// <summary>Per vertex, the vertices that read its value (through levelling copies too), in the engine's order.</summary>
    public IReadOnlyDictionary<Vertex, Vertex[]> ReadersInOrder { get; }

    /// <summary>The graph's order, computed once per graph (the sweep asks at every step).</summary>
    public static AutogradOrder Of(PcGraph graph) => Computed.GetValue(graph, Simulate);

    private static AutogradOrder Simulate(PcGraph graph)
    {
        var producers = graph.Vertices.Where(Runs)
            .ToDictionary(v => v, v => v.VertexInputs.Select(PcGraph.SourceOf).Where(Runs).Distinct().ToList());
        var waiting = producers.Keys.ToDictionary(v => v, _ => 0);
        foreach (var consumed in producers.Values.SelectMany(p => p)) waiting[consumed]++;
        var ready = new PriorityQueue<Vertex, int>();
        var output = PcGraph.SourceOf(graph.TrainingOutput);
        if (Runs(output)) ready.Enqueue(output, -output.Index);
        var rank = new Dictionary<Vertex, int>();
        while (ready.TryDequeue(out var v, out _))
        {
            rank[v] = rank.Count;
            foreach (var producer in producers[v])
                if (--waiting[producer] == 0) ready.Enqueue(producer, -producer.Index);
        }
        var readers = producers.Where(p => rank.ContainsKey(p.Key))
            .SelectMany(p => p.Value.Select(producer => (Producer: producer, Reader: p.Key)))
            .GroupBy(pair => pair.Producer)
            .ToDictionary(g => g.Key, g => g.Select(pair => pair.Reader).OrderBy(reader => rank[reader]).ToArray());
        return new AutogradOrder(rank, readers);
    }

    /// <summary>Whether backprop's graph holds a node for the vertex: it reaches the output, depends on a parameter, and is
    /// not a levelling copy (which backprop reads as its source's tensor).</summary>
    private static bool Runs(Vertex v) => PcGraph.IsFree(v) && v.Kind != VertexKind.Levelling;
}
