namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Which samples make batch k. Without shuffling, batch k is samples [kB, (k+1)B) in file order, wrapping
/// around at the end (docs/cli.md). With shuffling, each pass over the data is a permutation drawn from the
/// seed and the pass number, so a resumed run sees the same batches.
/// </summary>
public sealed class BatchOrder(long sampleCount, int batchSize, bool shuffle, int seed)
{
    public int BatchSize { get; } = batchSize > 0 ? batchSize : throw new ArgumentException("batch size must be positive");

    public long[] IndicesOf(long batch)
    {
        var indices = new long[BatchSize];
        for (int i = 0; i < BatchSize; i++)
        {
            long position = batch * BatchSize + i;
            long pass = position / sampleCount, offset = position % sampleCount;
            indices[i] = shuffle ? Permutation(pass)[offset] : offset;
        }
        return indices;
    }

    /// <summary>The pass over the data that batch <paramref name="batch"/> starts in (what augmentation draws from).</summary>
    public long PassOf(long batch) => batch * BatchSize / sampleCount;

    private readonly Dictionary<long, long[]> _permutations = [];

    private long[] Permutation(long pass)
    {
        if (_permutations.TryGetValue(pass, out var p)) return p;
        if (_permutations.Count > 2) _permutations.Clear();
        p = Enumerable.Range(0, (int)sampleCount).Select(i => (long)i).ToArray();
        // HashCode.Combine is randomised per process; a plain formula keeps runs reproducible.
        new Random(unchecked(seed * 1_000_003 + (int)pass)).Shuffle(p);
        return _permutations[pass] = p;
    }
}
