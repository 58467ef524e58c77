using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;
using System.Diagnostics;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Distributed;

/// <summary>
/// Data parallelism over a communicator: rank r takes the r-th of <see cref="Ranks"/> equal, contiguous slices of
/// every global batch (the single-process batch order, so the global batches are the same), and the per-parameter
/// updates are summed across ranks with one allreduce and divided by the number of ranks. Each rank's update is the
/// mean over its B/N samples, so (1/N) sum_r mean_r = (1/B) sum_i: the global batch mean, exactly, up to summation
/// order. Every rank then holds the same update and applies the same optimizer step.
/// </summary>
public sealed class AllreduceUpdateReducer(ICommunicator communicator) : IUpdateReducer
{
    private readonly Stopwatch _communication = new();

    public int Ranks => communicator.Size;
    public TimeSpan CommunicationTime => _communication.Elapsed;
    public long BytesReduced { get; private set; }

    public long[] ShardOf(long[] globalBatch)
    {
        if (globalBatch.Length % Ranks != 0)
            throw new ArgumentException($"a batch of {globalBatch.Length} does not split into {Ranks} equal shards");
        int size = globalBatch.Length / Ranks;
        return globalBatch[(communicator.Rank * size)..((communicator.Rank + 1) * size)];
    }

    public (RuleResult Result, double Accuracy) Reduce(RuleResult shard, double shardAccuracy)
    {
        // Every rank flattens the parameters in the same (ordinal) order, so the allreduce adds like to like.
        var names = shard.Updates.Keys.Order(StringComparer.Ordinal).ToList();
        var first = shard.Updates[names[0]];
        using var flat = cat(names.Select(n => shard.Updates[n].reshape(-1)).ToList(), 0).cpu().contiguous();
        using var summed = SumAcrossRanks(flat);
        // Dividing by the number of ranks afterwards keeps one rounding (none at all when N is a power of two).
        summed.DivInPlace(Ranks);
        var updates = new Dictionary<string, Tensor>();
        long offset = 0;
        foreach (string name in names)
        {
            var original = shard.Updates[name];
            updates[name] = summed.narrow(0, offset, original.numel()).reshape(original.shape).to(first.device);
            offset += original.numel();
        }
        double[] scalars = [shard.Loss, shardAccuracy];
        Collective(() => communicator.Sum(scalars), scalars.Length * sizeof(double));
        return (new RuleResult(updates, scalars[0] / Ranks, shard.Output), scalars[1] / Ranks);
    }

    public IReadOnlyList<ParameterDivergence> Reduce(IReadOnlyList<ParameterDivergence> shard)
    {
        var ordered = shard.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        double[] values = ordered.SelectMany(d => new[] { d.MaxAbs, d.MaxRel }).ToArray();
        // MPI_MAX compares with '>', which is false for NaN, so a NaN on one rank can lose to another rank's number and
        // a failed verification would pass. Each NaN travels as a flag of its own (the largest flag is 1 where any rank
        // had NaN), beside the numbers with NaN as 0.
        double[] reduced = [.. values.Select(v => double.IsNaN(v) ? 0 : v), .. values.Select(v => double.IsNaN(v) ? 1.0 : 0.0)];
        Collective(() => communicator.Max(reduced), reduced.Length * sizeof(double));
        double At(int k) => reduced[values.Length + k] > 0 ? double.NaN : reduced[k];
        return ordered.Select((d, i) => d with { MaxAbs = At(2 * i), MaxRel = At(2 * i + 1) }).ToList();
    }

    private void Collective(Action call, long bytes)
    {
        _communication.Start();
        try { call(); }
        finally { _communication.Stop(); }
        BytesReduced += bytes;
    }

    private Tensor SumAcrossRanks(Tensor flat)
    {
        switch (flat.dtype)
        {
            case ScalarType.Float64:
            {
                double[] values = flat.data<double>().ToArray();
                Collective(() => communicator.Sum(values), values.Length * sizeof(double));
                return OwnedTensors.FromArray(values, [values.Length], CPU);
            }
            case ScalarType.Float32:
            {
                float[] values = flat.data<float>().ToArray();
                Collective(() => communicator.Sum(values), values.Length * sizeof(float));
                return OwnedTensors.FromArray(values, [values.Length], CPU);
            }
            default:
                throw new ArgumentException($"updates are float32 or float64, not {flat.dtype}");
        }
    }
}
