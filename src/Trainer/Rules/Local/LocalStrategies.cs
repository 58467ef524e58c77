using System.Runtime.CompilerServices;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Trainer.Kernels;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// The strategy of every vertex of a PCN for the fast Z-IL, chosen once per graph from its structure alone (operators,
/// operands, shapes), and kept for as long as the graph lives.
/// </summary>
public static class LocalStrategies
{
    private static readonly ConditionalWeakTable<PcGraph, IReadOnlyDictionary<Vertex, ILocalStrategy>> Chosen = new();

    /// <summary>
    /// The strategies of the vertices the fast Z-IL evaluates; a data input (its value is the batch's), a levelling copy
    /// (its value is its source's) and a vertex whose value no error reaches have none.
    /// </summary>
    public static IReadOnlyDictionary<Vertex, ILocalStrategy> For(PcGraph graph) =>
        Chosen.GetValue(graph, g => g.Vertices.Select(v => (v, Strategy: Choose(v))).Where(c => c.Strategy != null).ToDictionary(c => c.v,
            c => c.Strategy!));

    private static ILocalStrategy? Choose(Vertex v)
    {
        // A levelling copy is folded into its source (Zil.Sweep).
        if (v.Kind is VertexKind.DataInput or VertexKind.Levelling) return null;
        if (PcGraph.IsFree(v) && IsSumOfSameShapes(v)) return PassWhole.Sum;
        if (!v.ReachesOutput) return null;
        var wanted = v.Operands.Select(o => o is Operand.FromParameter || o is Operand.FromVertex { Source: var parent }
            && PcGraph.IsFree(parent)).ToArray();
        if (!wanted.Contains(true)) return ForwardOnly.Instance;
        var shapes = v.Operands.Select(o => o switch
        {
            Operand.FromVertex f => f.Source.Shape,
            Operand.FromParameter p => p.View.Shape,
            Operand.FromConstant c => c.Value.Shape,
            _ => null,
        }).ToArray();
        if (ClosedForms.For(v.Op) is not { } closedForm) return AutogradTape.Instance;
        // An input the kernel detaches takes no product from either strategy; the closed form is not asked for one.
        var passed = wanted.Select((w, slot) => w && !closedForm.Detaches(v.Op, slot)).ToArray();
        if (!passed.Contains(true)) return ForwardOnly.Instance;
        return closedForm.Covers(v.Op, shapes, passed) ? new ClosedFormStrategy(closedForm, passed) : AutogradTape.Instance;
    }

    /// <summary>An Add of vertices that all have its shape: no broadcasting, so its Jacobian is the identity on each term.</summary>
    private static bool IsSumOfSameShapes(Vertex v) =>
        v.Op is AddSpec && v.Operands.All(o => o is Operand.FromVertex) && v.VertexInputs.All(u => u.Shape.SequenceEqual(v.Shape));
}
