using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Kernels;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Pcn;

/// <summary>
/// The running mean and variance of every BatchNormalization that normalizes with batch statistics. They take no part
/// in training (the batch's own statistics do); after each step they move as PyTorch's train mode moves them, by the
/// node's ONNX momentum M: running = running * M + batch statistic * (1 - M), with the unbiased variance, and the
/// export writes them back into their initializers.
/// </summary>
public sealed class RunningStatistics : IDisposable
{
    private readonly List<(Vertex Vertex, BatchStatistics Batch)> _nodes;

    public RunningStatistics(PcnModel model)
    {
        _nodes = model.Graph.Vertices
            .Where(v => v.Op is BatchNormalizationSpec { Batch: not null })
            .Select(v => (v, ((BatchNormalizationSpec)v.Op).Batch!))
            .ToList();
        foreach (var (vertex, batch) in _nodes)
        {
            Add(model, batch.RunningMean, vertex.Operands[3]);
            Add(model, batch.RunningVar, vertex.Operands[4]);
        }
    }

    /// <summary>Current values by initializer name, in the model's precision.</summary>
    public Dictionary<string, Tensor> Values { get; } = [];

    /// <summary>Element types of the initializers, for the export.</summary>
    public Dictionary<string, HostTensor> Initial { get; } = [];

    /// <summary>Whether any BatchNormalization normalizes with batch statistics (and so couples a batch's samples).</summary>
    public bool Any => _nodes.Count > 0;

    /// <summary>Moves every running statistic by the batch whose feed-forward values are <paramref name="forward"/> (taken with the
    /// parameters before the step).</summary>
    public void Update(IReadOnlyDictionary<Vertex, Tensor> forward)
    {
        using var _ = no_grad();
        foreach (var (vertex, batch) in _nodes)
        {
            if (vertex.Operands[0] is not Operand.FromVertex { Source: var input }) continue;
            var x = forward[input];
            var spec = (BatchNormalizationSpec)vertex.Op;
            long[] axes = BatchNormalizationKernel.StatisticAxes(spec, x);
            using var mean = x.mean(axes);
            using var variance = x.var(axes, unbiased: true);
            Move(Values[batch.RunningMean], mean, batch.Momentum);
            Move(Values[batch.RunningVar], variance, batch.Momentum);
        }
    }

    private static void Move(Tensor running, Tensor statistic, double momentum)
    {
        using var reshaped = statistic.reshape(running.Sizes());
        running.mul_(momentum).add_(reshaped, alpha: 1 - momentum);
    }

    private void Add(PcnModel model, string name, Operand operand)
    {
        if (Values.ContainsKey(name)) return;
        if (operand is not Operand.FromConstant constant)
            throw new InvalidOperationException($"running statistic '{name}' is not a constant");
        Initial[name] = constant.Value;
        Values[name] = model.ToTensor(constant.Value).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var t in Values.Values) t.Dispose();
        Values.Clear();
    }
}
