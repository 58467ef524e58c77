using System.IO.Compression;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>
/// Data held in their stored types give bitwise the batches of the former path, which read every array into doubles
/// (<see cref="NpyFormat.Read(string, DataBudget?)"/>, still the reader of `run`), scaled IDX pixels as v / 255.0 in
/// double, copied a batch's rows and cast them to the batch's type. That path is kept here as the reference
/// (<see cref="FormerBatch"/>), and every DATA form is compared with it: the fixtures' .npz files (float32 inputs,
/// int64 labels and float32 targets), the same arrays stored as float64, a pair of .npy files, and the IDX subset that
/// ships with the program (uint8 pixels and labels), in float32 and float64, shuffled and in file order. Equality is
/// exact: the conversions are meant to be the same operations, not approximations of them.
/// </summary>
public sealed class SampleStoreEquivalenceTests
{
    public static TheoryData<string> FixtureData() => new(Directory.GetFiles(Fixtures.Folder, "*.npz")
        .Select(Path.GetFileName).OfType<string>()
        .Where(f => f.EndsWith(".ce.npz", StringComparison.Ordinal) || f.EndsWith(".mse.npz", StringComparison.Ordinal)).Order());

    [Theory]
    [MemberData(nameof(FixtureData))]
    public void An_npz_gives_the_former_batches(string file)
    {
        string path = Fixtures.PathOf(file);
        var former = NpzArchive.Read(path);
        var set = DataSources.Load(path, DataSplit.Train, "x", []);
        AssertSameBatches(former["x"], former["y"], set);
    }

    [Fact]
    public void Float64_arrays_give_the_former_batches()
    {
        using var temp = new TempDirectory();
        var arrays = Fixtures.Arrays("lenet5.mse.npz");
        // Widened from float32 and perturbed below float32's precision, so a float32 batch must round each value.
        var x = AsDouble(arrays["x"], (v, i) => v + i * 1e-12);
        var y = AsDouble(arrays["y"], (v, i) => v - i * 3e-13);
        string path = temp.File("double.npz");
        NpzArchive.Write(path, new Dictionary<string, HostTensor> { ["x"] = x, ["y"] = y });
        var set = DataSources.Load(path, DataSplit.Train, "x", []);
        Assert.Equal(DataType.Double, set.Inputs.ElementType);
        AssertSameBatches(x, y, set);
    }

    [Fact]
    public void A_pair_of_npy_files_gives_the_former_batches()
    {
        using var temp = new TempDirectory();
        var arrays = Fixtures.Arrays("cnn_features.ce.npz");
        NpyFormat.Write(temp.File("x.npy"), arrays["x"]);
        NpyFormat.Write(temp.File("y.npy"), arrays["y"]);
        AssertSameBatches(arrays["x"], arrays["y"], DataSources.Load(temp.Path, DataSplit.Train, "x", []));
        AssertSameBatches(arrays["x"], arrays["y"], DataSources.Load($"{temp.File("x.npy")},{temp.File("y.npy")}", DataSplit.Train, "x", []));
    }

    [Theory]
    [InlineData(DataSplit.Train)]
    [InlineData(DataSplit.Test)]
    public void The_idx_subset_gives_the_former_batches(DataSplit split)
    {
        string prefix = split == DataSplit.Train ? "train" : "t10k";
        string folder = FashionMnistLookup.EmbeddedFolder;
        var pixels = FormerIdx(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"));
        var labels = FormerIdx(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"));
        var x = new HostTensor(DataType.Float, [pixels.Shape[0], 1, .. pixels.Shape[1..]], Array.ConvertAll(pixels.Values, v => v / 255.0));
        var y = new HostTensor(DataType.Int64, labels.Shape, labels.Values);
        var set = DataSources.Load(folder, split, "x", [null, 1, 28, 28]);
        Assert.Equal(DataType.Uint8, set.Inputs.ElementType);
        AssertSameBatches(x, y, set);
    }

    [Fact]
    public void A_validation_subset_gives_the_former_batches()
    {
        var arrays = Fixtures.Arrays("lenet5.ce.npz");
        long[] picked = [30, 2, 17, 17, 5, 0, 31];
        var subset = DataSources.Load(Fixtures.PathOf("lenet5.ce.npz"), DataSplit.Train, "x", []).Subset(picked, "subset");
        var expected = FormerBatch(arrays["x"], picked, ScalarType.Float32);
        Assert.Equal(Bits((float[])expected), Bits((float[])subset.Prepare([.. Enumerable.Range(0, picked.Length).Select(i => (long)i)], ScalarType.Float32).Inputs.Values));
    }

    /// <summary>The first batches of a few orders, in both float types, inputs and targets.</summary>
    private static void AssertSameBatches(HostTensor x, HostTensor y, DataSet set)
    {
        bool labels = !y.IsFloatingPoint;
        foreach (var order in new[] { new BatchOrder(set.Count, 8, false, 0), new BatchOrder(set.Count, 7, true, 3), new BatchOrder(set.Count, 32, true, 11) })
        {
            foreach (var type in new[] { ScalarType.Float32, ScalarType.Float64 })
            {
                for (long k = 0; k < 6; k++)
                {
                    long[] indices = order.IndicesOf(k);
                    var batch = set.Prepare(indices, type);
                    AssertBitwiseEqual(FormerBatch(x, indices, type), batch.Inputs.Values, $"x, batch {k}, {type}");
                    AssertBitwiseEqual(FormerBatch(y, indices, labels ? ScalarType.Int64 : type), batch.Targets.Values, $"y, batch {k}, {type}");
                    Assert.Equal([indices.Length, .. set.Inputs.Shape[1..]], batch.Inputs.Shape);
                }
            }
        }
    }

    /// <summary>The former DataSet.Rows and HostBatch.Part.Of: the rows copied as doubles, then cast to the batch's type.</summary>
    private static Array FormerBatch(HostTensor source, IReadOnlyList<long> indices, ScalarType type)
    {
        long sampleSize = source.Count / source.Shape[0];
        var values = new double[indices.Count * sampleSize];
        for (int i = 0; i < indices.Count; i++)
            Array.Copy(source.Values, indices[i] * sampleSize, values, i * sampleSize, sampleSize);
        return type switch
        {
            ScalarType.Float32 => Array.ConvertAll(values, v => (float)v),
            ScalarType.Float64 => values,
            _ => Array.ConvertAll(values, v => (long)v),
        };
    }

    /// <summary>The former IdxFormat.Read: a gzipped IDX file of unsigned bytes as doubles.</summary>
    private static HostTensor FormerIdx(string path)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        byte[] bytes = memory.ToArray();
        int rank = bytes[3];
        long[] shape = [.. Enumerable.Range(0, rank).Select(i => (long)System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i)))];
        return new HostTensor(DataType.Uint8, shape, bytes[(4 + 4 * rank)..].Select(b => (double)b).ToArray());
    }

    private static HostTensor AsDouble(HostTensor t, Func<double, int, double> change) =>
        new(DataType.Double, t.Shape, t.Values.Select((v, i) => change(v, i)).ToArray());

    private static void AssertBitwiseEqual(Array expected, Array actual, string what)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        switch (expected)
        {
            case float[] f: Assert.True(Bits(f).SequenceEqual(Bits((float[])actual)), what); break;
            case double[] d: Assert.True(d.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(((double[])actual).Select(BitConverter.DoubleToInt64Bits)), what); break;
            default: Assert.True(((long[])expected).SequenceEqual((long[])actual), what); break;
        }
    }

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}
