using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;
using static TorchSharp.torch;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>
/// An image folder is streamed (its images decoded batch by batch); its batches are bitwise those of the same folder
/// read whole into memory, the way it was held before (<see cref="ISampleReader.Read"/>). The exported model of a
/// fine-tuning run is compared with the in-memory .npz of the same images in <see cref="ImageFolderTests"/>.
/// </summary>
public sealed class StreamedImageTests
{
    private const int Side = ImageFolderTests.Side;

    private static DataSet HeldInMemory(string folder)
    {
        using var reader = ImageFolderSampleReader.Open(folder, DataSplit.Train, ImageFolderTests.LeNetInput);
        var block = reader.Read(0, reader.Inputs.Samples);
        return new DataSet(reader.Origin, "x", block.Inputs, block.Targets);
    }

    [Fact]
    public void Streamed_batches_are_bitwise_the_batches_of_the_folder_held_in_memory()
    {
        using var temp = new TempDirectory();
        var (folder, _) = ImageFolderTests.WriteFashionImages(temp);
        var streamed = DataSources.Load(folder, DataSplit.Train, "x", ImageFolderTests.LeNetInput);
        var held = HeldInMemory(folder);
        Assert.True(streamed.IsStreamed);
        Assert.False(held.IsStreamed);

        var order = new BatchOrder(streamed.Count, 24, shuffle: true, seed: 5);
        for (long k = 0; k < 3; k++)
        {
            var indices = order.IndicesOf(k);
            Assert.Equal((float[])held.Prepare(indices, ScalarType.Float32).Inputs.Values, (float[])streamed.Prepare(indices, ScalarType.Float32).Inputs.Values);
            Assert.Equal((double[])held.Prepare(indices, ScalarType.Float64).Inputs.Values, (double[])streamed.Prepare(indices, ScalarType.Float64).Inputs.Values);
            Assert.Equal((long[])held.Prepare(indices, ScalarType.Float32).Targets.Values, (long[])streamed.Prepare(indices, ScalarType.Float32).Targets.Values);
        }
        // A validation split of a streamed set is streamed too, and the same samples.
        long[] split = [63, 0, 17, 17, 40];
        var subset = streamed.Subset(split, "split");
        Assert.True(subset.IsStreamed);
        long[] all = [0, 1, 2, 3, 4];
        Assert.Equal((float[])held.Prepare(split, ScalarType.Float32).Inputs.Values, (float[])subset.Prepare(all, ScalarType.Float32).Inputs.Values);
        Assert.Equal(held.Inputs.ValueAt(40 * Side * Side + 300), streamed.Inputs.ValueAt(40 * Side * Side + 300));
    }

    [Fact]
    public void A_batch_with_images_that_do_not_decode_names_the_first_in_the_batch_order()
    {
        using var temp = new TempDirectory();
        var (folder, _) = ImageFolderTests.WriteFashionImages(temp);
        var files = Directory.GetFiles(folder, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        File.WriteAllBytes(files[10], [1, 2, 3]);
        File.WriteAllBytes(files[20], [4, 5, 6]);
        var set = DataSources.Load(folder, DataSplit.Train, "x", ImageFolderTests.LeNetInput);

        var e = Assert.Throws<DataFormatException>(() => set.Prepare([0, 20, 5, 10], ScalarType.Float32));
        Assert.Contains(files[20], e.Message);
        Assert.DoesNotContain(files[10], e.Message);
        // Batches without them are unaffected.
        Assert.Equal(3 * Side * Side, ((float[])set.Prepare([0, 1, 2], ScalarType.Float32).Inputs.Values).Length);
    }
}
