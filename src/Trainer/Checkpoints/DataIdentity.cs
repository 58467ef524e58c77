using System.Security.Cryptography;
using ZilOnnx.Trainer.Data;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Checkpoints;

/// <summary>
/// Which data a run trains on, cheaply enough to take at every start: the file the samples came from (the .npz, the
/// inputs' .npy, the IDX images), its size, the number of training samples (after a held-out split) and a hash of
/// the first batch. A resume on other data would continue the optimizer's state on batches the run never saw; this
/// is what tells it apart (a full hash of the data would cost a pass over gigabytes at every start).
/// </summary>
/// <param name="Path">The data file's absolute path.</param>
/// <param name="Size">Its size in bytes, or null when the source is not a regular file.</param>
/// <param name="Samples">The samples training draws its batches from.</param>
/// <param name="FirstBatchSha256">SHA-256 (lower-case hex) of the first batch-size samples in file order, inputs then
/// targets, as the float64 (int64 for ids and labels) values training feeds: the same whatever the run's precision.</param>
public sealed record DataIdentity(string Path, long? Size, long Samples, string FirstBatchSha256)
{
    public static DataIdentity Of(DataSet data, int batchSize)
    {
        string path = System.IO.Path.GetFullPath(data.Source);
        long? size = File.Exists(path) ? new FileInfo(path).Length : null;
        long[] first = [.. Enumerable.Range(0, (int)Math.Min(batchSize, data.Count)).Select(i => (long)i)];
        var batch = data.Prepare(first, ScalarType.Float64);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(BytesOf(batch.Inputs.Values));
        hash.AppendData(BytesOf(batch.Targets.Values));
        return new DataIdentity(path, size, data.Count, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>What differs between this (the checkpoint's) and <paramref name="now"/> (the data given), each as "was X, now Y"; empty
    /// when they match.</summary>
    public IReadOnlyList<string> DifferencesFrom(DataIdentity now)
    {
        var differences = new List<string>();
        if (Path != now.Path) differences.Add($"file {Path}, now {now.Path}");
        if (Size != now.Size) differences.Add($"size {Show(Size)} bytes, now {Show(now.Size)}");
        if (Samples != now.Samples) differences.Add($"{Samples} training samples, now {now.Samples}");
        if (FirstBatchSha256 != now.FirstBatchSha256) differences.Add("the first batch's samples differ");
        return differences;
    }

    private static string Show(long? size) => size?.ToString() ?? "(not a file)";

    /// <summary>The bytes of an array of primitives (float[], double[], long[]), in this machine's byte order.</summary>
    private static byte[] BytesOf(Array values)
    {
        var bytes = new byte[Buffer.ByteLength(values)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }
}
