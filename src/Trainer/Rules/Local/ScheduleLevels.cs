using System.Runtime.CompilerServices;
using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// The levels of Z-IL's sweep (docs/algorithms.md C2), grouped once per graph rather than at every step (DenseNet-121 has
/// 3,586 vertices): by depth, ascending, each level in the graph's vertex order, holding the vertices that take a local
/// strategy and the levelling copies that reach the output (whose errors only an observer asks for).
/// </summary>
internal static class ScheduleLevels
{
    private static readonly ConditionalWeakTable<PcGraph, IReadOnlyList<(int Depth, Vertex[] Vertices)>> Grouped = new();

    public static IReadOnlyList<(int Depth, Vertex[] Vertices)> Of(PcGraph graph) => Grouped.GetValue(graph, Group);

    /// <summary>A levelling copy whose error an observer sees: one on the way to the output.</summary>
    public static bool IsCopy(Vertex v) => v.Kind == VertexKind.Levelling && v.ReachesOutput;

    private static IReadOnlyList<(int Depth, Vertex[] Vertices)> Group(PcGraph graph)
    {
        var strategies = LocalStrategies.For(graph);
        return graph.Vertices.Where(v => strategies.ContainsKey(v) || IsCopy(v))
            .GroupBy(v => v.Depth).OrderBy(g => g.Key).Select(g => (g.Key, g.ToArray())).ToList();
    }
}
