using ZilOnnx.Converter.Graph;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Pcn;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules.Local;

/// <summary>
/// The Hebbian terms of every parameter, one leaf per vertex that reads it, summed once the sweep is over (rules 3 and
/// 4) in backprop's order. Backprop's engine runs the backward nodes in reverse order of their creation, so a parameter
/// read by several vertices receives their terms last reader first, and adds them one at a time: ((t_n + t_n-1) + ...)
/// + t_1. Adding each inference step's terms on one shared leaf would sum the terms of readers that take their turn at
/// the same step (a bias shared by a ResNet's conv2 and its downsample after an exporter merged equal initializers) in
/// that step's autograd call first, and round differently.
/// </summary>
public sealed class ParameterTerms(PcnModel model)
{
    private readonly List<(Vertex Reader, string Name, Tensor Leaf)> _leaves = [];

    /// <summary>Fresh leaves, one per parameter <paramref name="reader"/> reads, on the parameters' values.</summary>
    public IReadOnlyDictionary<string, Tensor> LeavesOf(Vertex reader)
    {
        var leaves = new Dictionary<string, Tensor>();
        foreach (var name in reader.Operands.OfType<Operand.FromParameter>().Select(p => p.View.Root.Name).Distinct())
        {
            leaves[name] = model.Parameters[name].detach().requires_grad_(true);
            _leaves.Add((reader, name, leaves[name]));
        }
        return leaves;
    }

    /// <summary>-dLoss/dtheta of every parameter: its readers' terms, last reader first, or zeros where none reached it.</summary>
    public Dictionary<string, Tensor> Sums()
    {
        var sums = new Dictionary<string, Tensor>();
        foreach (var (_, name, leaf) in _leaves.OrderByDescending(l => l.Reader.Index))
        {
            if (leaf.grad is not { } term) continue;
            sums[name] = sums.TryGetValue(name, out var sum) ? sum.Plus(term) : term;
        }
        foreach (var (name, value) in model.Parameters)
            sums[name] = (sums.TryGetValue(name, out var sum) ? sum : zeros_like(value)).MoveToOuterDisposeScope();
        return sums;
    }
}
