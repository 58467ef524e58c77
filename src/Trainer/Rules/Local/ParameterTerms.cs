using System.Runtime.CompilerServices;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// The Hebbian terms of every parameter, summed (rules 3 and 4) in backprop's order. Backprop's engine runs the backward
/// nodes in reverse order of their creation, so a parameter read by several vertices receives their terms last reader
/// first and adds them one at a time: ((t_n + t_n-1) + ...) + t_1. The sweep reaches the readers level by level in
/// that order, and a parameter's one leaf adds each level's term as it comes, except where two readers take their turn
/// at the same level (a bias shared by a ResNet's conv2 and its downsample after an exporter merged equal initializers):
/// that level's autograd call would sum their terms first and round differently. Such readers read the parameter
/// through leaves of their own, whose terms <see cref="AddLevel"/> adds to the parameter's one at a time, last reader
/// first, once the level has run. Every other reader shares the one leaf, so a recurrent weight read at every time step
/// costs no more than one gradient buffer.
/// </summary>
public sealed class ParameterTerms(PcnModel model)
{
    private readonly Dictionary<string, Tensor> _shared = [];
    private readonly List<(Vertex Reader, string Name, Tensor Leaf)> _ownLeaves = [];

    /// <summary>The leaves <paramref name="reader"/> reads its parameters through: each parameter's one leaf, or, where
    /// another reader of it has the same depth, a leaf of its own.</summary>
    public IReadOnlyDictionary<string, Tensor> LeavesOf(Vertex reader)
    {
        if (!Reads.GetValue(model.Graph, Find).TryGetValue(reader, out var parameters)) return NoLeaves;
        var leaves = new Dictionary<string, Tensor>();
        foreach (var (name, ownLeaf) in parameters)
        {
            if (ownLeaf)
            {
                leaves[name] = NewLeaf(name);
                _ownLeaves.Add((reader, name, leaves[name]));
            }
            else leaves[name] = Shared(name);
        }
        return leaves;
    }

    /// <summary>Adds the terms of the readers with leaves of their own at <paramref name="depth"/>, last reader first.</summary>
    public void AddLevel(int depth)
    {
        using var _ = no_grad();
        foreach (var (_, name, leaf) in _ownLeaves.Where(l => l.Reader.Depth == depth).OrderByDescending(l => l.Reader.Index))
        {
            if (leaf.grad is not { } term) continue;
            var sum = Shared(name);
            if (sum.grad is { } total) total.add_(term);
            else sum.grad = term;
        }
    }

    /// <summary>-dLoss/dtheta of every parameter, or zeros where no term reached it.</summary>
    public Dictionary<string, Tensor> Sums() => model.Parameters.ToDictionary(p => p.Key,
        p => (_shared.TryGetValue(p.Key, out var leaf) && leaf.grad is { } sum ? sum : zeros_like(p.Value)).MoveToOuterDisposeScope());

    private static readonly IReadOnlyDictionary<string, Tensor> NoLeaves = new Dictionary<string, Tensor>();

    /// <summary>Per graph, once (the sweep asks for every vertex at every step): the parameters each vertex reads, and
    /// whether another reader of the parameter shares the vertex's depth.</summary>
    private static readonly ConditionalWeakTable<PcGraph, Dictionary<Vertex, (string Name, bool OwnLeaf)[]>> Reads = new();

    private static Dictionary<Vertex, (string Name, bool OwnLeaf)[]> Find(PcGraph graph)
    {
        var reads = graph.Vertices
            .SelectMany(v => v.Operands.OfType<Operand.FromParameter>().Select(p => (Reader: v, Name: p.View.Root.Name)))
            .Distinct().ToList();
        var sharedLevels = reads.GroupBy(r => (r.Name, r.Reader.Depth)).Where(g => g.Count() > 1).SelectMany(g => g).ToHashSet();
        return reads.GroupBy(r => r.Reader).ToDictionary(g => g.Key, g => g.Select(r => (r.Name, sharedLevels.Contains(r))).ToArray());
    }

    private Tensor Shared(string name) => _shared.TryGetValue(name, out var leaf) ? leaf : _shared[name] = NewLeaf(name);

    private Tensor NewLeaf(string name) => model.Parameters[name].detach().requires_grad_(true);
}
