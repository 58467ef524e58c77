using ZilOnnx.Trainer.Rules;
using ZilOnnx.Trainer.Verification;

namespace ZilOnnx.Trainer.Distributed;

/// <summary>
/// The data-parallel side of a training step: which samples of the global batch this process computes, and how
/// its shard's results become the global batch's. Every rule's update is a batch mean of per-sample terms, so the
/// global update is the mean of equal shards' updates: the same numbers a single process computes, up to the
/// order in which floating-point sums are taken.
/// </summary>
public interface IUpdateReducer
{
    /// <summary>The number of processes the global batch is split across.</summary>
    int Ranks { get; }

    /// <summary>This process's samples out of the global batch's indices.</summary>
    long[] ShardOf(long[] globalBatch);

    /// <summary>The global batch's update, loss and accuracy from this shard's.</summary>
    (RuleResult Result, double Accuracy) Reduce(RuleResult shard, double shardAccuracy);

    /// <summary>Each parameter's divergence from backprop, the largest over all shards.</summary>
    IReadOnlyList<ParameterDivergence> Reduce(IReadOnlyList<ParameterDivergence> shard);

    /// <summary>Time spent inside collectives so far (waiting for the slowest rank included), for the scaling model.</summary>
    TimeSpan CommunicationTime { get; }

    /// <summary>Bytes each rank has contributed to allreduces so far.</summary>
    long BytesReduced { get; }
}

/// <summary>One process computes the whole batch: nothing to split or reduce.</summary>
public sealed class NoReduction : IUpdateReducer
{
    public static readonly NoReduction Instance = new();

    public int Ranks => 1;
    public long[] ShardOf(long[] globalBatch) => globalBatch;
    public (RuleResult Result, double Accuracy) Reduce(RuleResult shard, double shardAccuracy) => (shard, shardAccuracy);
    public IReadOnlyList<ParameterDivergence> Reduce(IReadOnlyList<ParameterDivergence> shard) => shard;
    public TimeSpan CommunicationTime => TimeSpan.Zero;
    public long BytesReduced => 0;
}
