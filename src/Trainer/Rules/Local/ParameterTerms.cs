using System.Runtime.CompilerServices;
using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// The Hebbian terms of every parameter, summed (rules 3 and 4) in backprop's order. A parameter read by several vertices
/// receives their terms in the order autograd's engine runs the readers (<see cref="AutogradOrder"/>) and adds them one at
/// a time: ((t_1 + t_2) + t_3) + .... Where that is the sweep's order, readers one level after another (a recurrent
/// weight read at every time step, a chain of blocks), the readers share the parameter's one leaf, which adds each
/// level's term as it comes and costs no more than one gradient buffer. Where it is not, two readers at one level (a bias
/// shared by a ResNet's conv2 and its downsample after an exporter merged equal initializers), whose level's autograd call
/// would sum their terms first, or readers on branches autograd runs one after the other while the sweep interleaves
/// their levels (ShuffleNetV2's, which share one merged bias), every reader reads the parameter through a leaf of its
/// own, and <see cref="AddLevel"/> adds their terms in autograd's order once the last of them has run.
/// </summary>
public sealed class ParameterTerms(PcnModel model)
{
    private readonly Dictionary<string, Tensor> _shared = [];
    /// <summary>The own leaves by the depth after whose level their terms are summed: the sweep asks at every level.</summary>
    private readonly Dictionary<int, List<(ParameterRead Read, Tensor Leaf)>> _ownLeavesByDepth = [];

    /// <summary>The leaves <paramref name="reader"/> reads its parameters through: each parameter's one leaf, or, where the
    /// sweep would not add its readers' terms in autograd's order, a leaf of its own.</summary>
    public IReadOnlyDictionary<string, Tensor> LeavesOf(Vertex reader)
    {
        if (!Reads.GetValue(model.Graph, Find).TryGetValue(reader, out var parameters)) return NoLeaves;
        var leaves = new Dictionary<string, Tensor>();
        foreach (var read in parameters)
        {
            if (read.OwnLeaf)
            {
                leaves[read.Name] = NewLeaf(read.Name);
                if (!_ownLeavesByDepth.TryGetValue(read.SummedAtDepth, out var atDepth))
                    _ownLeavesByDepth[read.SummedAtDepth] = atDepth = [];
                atDepth.Add((read, leaves[read.Name]));
            }
            else leaves[read.Name] = Shared(read.Name);
        }
        return leaves;
    }

    /// <summary>
    /// Adds, in autograd's order, the terms of the readers with leaves of their own whose parameter's last reader in the
    /// sweep is at <paramref name="depth"/>.
    /// </summary>
    public void AddLevel(int depth)
    {
        if (!_ownLeavesByDepth.TryGetValue(depth, out var atDepth)) return;
        using var _ = no_grad();
        foreach (var (read, leaf) in atDepth.OrderBy(l => l.Read.AutogradRank))
        {
            if (leaf.grad is not { } term) continue;
            var sum = Shared(read.Name);
            if (sum.grad is { } total) total.add_(term);
            else sum.grad = term;
        }
    }

    /// <summary>-dLoss/dtheta of every parameter, or zeros where no term reached it.</summary>
    public Dictionary<string, Tensor> Sums() => model.Parameters.ToDictionary(p => p.Key,
        p => (_shared.TryGetValue(p.Key, out var leaf) && leaf.grad is { } sum ? sum : zeros_like(p.Value)).MoveToOuterDisposeScope());

    private static readonly IReadOnlyDictionary<string, Tensor> NoLeaves = new Dictionary<string, Tensor>();

    /// <summary>Per graph, once (the sweep asks for every vertex at every step): the parameters each vertex reads, and how
    /// their terms are summed.</summary>
    private static readonly ConditionalWeakTable<PcGraph, Dictionary<Vertex, ParameterRead[]>> Reads = new();

    private static Dictionary<Vertex, ParameterRead[]> Find(PcGraph graph)
    {
        var reads = graph.Vertices
            .SelectMany(v => v.Operands.OfType<Operand.FromParameter>().Select(p => (Reader: v, Name: p.View.Root.Name)))
            .Distinct().ToList();
        var autograd = AutogradOrder.Of(graph).Rank;
        int RankOf(Vertex reader) => autograd.GetValueOrDefault(reader, int.MaxValue);
        var ownLeaves = reads.GroupBy(r => r.Name)
            .Where(g => !SweepOrderIsAutogradOrder(g.Select(r => r.Reader).Where(autograd.ContainsKey).OrderBy(RankOf).ToList()))
            .ToDictionary(g => g.Key, g => g.Max(r => r.Reader.Depth));
        return reads.GroupBy(r => r.Reader).ToDictionary(g => g.Key,
            g => g.Select(r => new ParameterRead(r.Name, RankOf(r.Reader), ownLeaves.GetValueOrDefault(r.Name, -1))).ToArray());
    }

    /// <summary>Whether the sweep, which adds to a shared leaf level by level, meets the readers (in autograd's order) in
    /// that order: one reader per level, each level deeper than the one before.</summary>
    private static bool SweepOrderIsAutogradOrder(List<Vertex> readersInAutogradOrder) =>
        readersInAutogradOrder.Zip(readersInAutogradOrder.Skip(1)).All(pair => pair.First.Depth < pair.Second.Depth);

    private Tensor Shared(string name) => _shared.TryGetValue(name, out var leaf) ? leaf : _shared[name] = NewLeaf(name);

    private Tensor NewLeaf(string name) => model.Parameters[name].detach().requires_grad_(true);
}

/// <summary>
/// A vertex's read of a parameter: the reader's place in autograd's order, and the depth after whose level the parameter's
/// own-leaf terms are summed (-1 where the readers share one leaf).
/// </summary>
internal readonly record struct ParameterRead(string Name, int AutogradRank, int SummedAtDepth)
{
    /// <summary>Whether the reader reads the parameter through a leaf of its own.</summary>
    public bool OwnLeaf => SummedAtDepth >= 0;
}
