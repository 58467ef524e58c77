using System.Runtime.CompilerServices;
using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// The levels of Z-IL's sweep (docs/algorithms.md C2), grouped once per graph rather than at every step (DenseNet-121 has
/// 3,586 vertices): by depth, ascending, each level holding, in the graph's vertex order, the vertices that take a local
/// strategy, and apart from them the levelling copies that reach the output, whose errors only an observer asks for: the
/// sweep passes 3,210 of them on DenseNet-121 at every step otherwise, to find no product.
/// </summary>
internal static class ScheduleLevels
{
    private static readonly ConditionalWeakTable<PcGraph, IReadOnlyList<Level>> Grouped = new();

    public static IReadOnlyList<Level> Of(PcGraph graph) => Grouped.GetValue(graph, Group);

    private static IReadOnlyList<Level> Group(PcGraph graph)
    {
        var strategies = LocalStrategies.For(graph);
        return graph.Vertices.Where(v => strategies.ContainsKey(v) || IsCopy(v))
            .GroupBy(v => v.Depth).OrderBy(g => g.Key)
            .Select(g => new Level(g.Key, g.Where(v => !IsCopy(v)).ToArray(), g.Where(IsCopy).ToArray())).ToList();
    }

    /// <summary>A levelling copy whose error an observer sees: one on the way to the output.</summary>
    private static bool IsCopy(Vertex v) => v.Kind == VertexKind.Levelling && v.ReachesOutput;
}

/// <summary>One level of the sweep: its depth, the vertices that take a local strategy, and the levelling copies.</summary>
internal sealed record Level(int Depth, Vertex[] Vertices, Vertex[] Copies);
