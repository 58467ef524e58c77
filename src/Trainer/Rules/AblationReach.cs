using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// Which `--ablate` items have something to act on in a graph. Two of them act on structure that not every network
/// has: `no-levelling` needs an edge that skips depths from a vertex whose error reaches a parameter (a skip
/// connection), and `immediate-shared` and `all-copies` need a parameter read by several vertices (an RNN's weights
/// at every time step; a convolution's kernel belongs to one vertex). Elsewhere they leave the dynamics exact, and a
/// divergence of 0 there means absence, not a Z-IL condition that does not matter: `verify` says so where the graph
/// shows it. (An edge can skip depths and still carry no error, e.g. the step states an RNN's Y assembles when the head
/// reads only the last step: no note then, and a divergence of 0.)
/// </summary>
public static class AblationReach
{
    /// <returns>Notes naming the ablation by its marker (<see cref="Setting.Render"/>).</returns>
    /// <param name="graph">The graph as built for the run (without levelling under `no-levelling`).</param>
    public static IEnumerable<string> Notes(PcGraph graph, Ablation ablation)
    {
        if (!ablation.Levelling && !HasSkippingEdge(graph))
            yield return $"{Setting.Ablation} no-levelling changes nothing here: no edge skips depths from a vertex whose error " +
                "reaches a parameter (no skip connection to level)";
        if (ablation.Dynamics.SharedTerms != SharedParameterTerms.PerCopy && !HasSharedParameter(graph))
        {
            string item = ablation.Dynamics.SharedTerms == SharedParameterTerms.Immediate ? "immediate-shared" : "all-copies";
            yield return $"{Setting.Ablation} {item} changes nothing here: no parameter is read by more than one vertex";
        }
    }

    private static bool HasSkippingEdge(PcGraph graph) =>
        graph.Vertices.Where(PcGraph.IsFree).Any(c => c.VertexInputs.Any(u => PcGraph.IsFree(u) && u.Depth > c.Depth + 1));

    private static bool HasSharedParameter(PcGraph graph) =>
        graph.Vertices.Where(PcGraph.IsFree)
            .SelectMany(v => v.Operands.OfType<Operand.FromParameter>().Select(p => (Root: p.View.Root.Name, Vertex: v)))
            .Distinct()
            .GroupBy(p => p.Root)
            .Any(g => g.Count() > 1);
}
