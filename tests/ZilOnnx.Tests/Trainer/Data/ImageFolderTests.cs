using Google.Protobuf;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>
/// An image folder (one subfolder per class) reads as the same samples given as an .npz of float32 in [0, 1], in the
/// folder's order (class folders, then files, in ordinal order): the same batches, and a fine-tuned model bitwise the
/// same. The images are the first Fashion-MNIST subset images, written as PNGs at test time.
/// </summary>
public sealed class ImageFolderTests
{
    internal const int Images = 64, Side = 28;
    internal static readonly IReadOnlyList<long?> LeNetInput = [null, 1, Side, Side];

    /// <summary>The folder of PNGs and the .npz of the same samples in the folder's order.</summary>
    internal static (string Folder, string Npz) WriteFashionImages(TempDirectory temp, string folderName = "images")
    {
        var subset = DataSources.Load(FashionMnistLookup.EmbeddedFolder, DataSplit.Train, "x", LeNetInput);
        var pixels = ((SampleArray<byte>)subset.Inputs).Values;
        string folder = temp.File(folderName);
        var samples = new List<(int Label, int Index)>();
        for (int i = 0; i < Images; i++)
        {
            int label = (int)subset.Targets.ValueAt(i);
            samples.Add((label, i));
            ImageFiles.WriteGrayPng(Path.Combine(folder, $"class-{label}", $"{i:D5}.png"), pixels.AsSpan(i * Side * Side, Side * Side), Side, Side);
        }
        // The folder's order: class folders by name, then files by name (here: by index).
        var ordered = samples.OrderBy(s => $"class-{s.Label}", StringComparer.Ordinal).ThenBy(s => s.Index).ToList();
        var x = new double[Images * Side * Side];
        for (int n = 0; n < Images; n++)
            for (int k = 0; k < Side * Side; k++)
                x[n * Side * Side + k] = pixels[ordered[n].Index * Side * Side + k] / 255.0;
        // The labels are the classes' positions among the folder names present.
        var names = ordered.Select(s => $"class-{s.Label}").Distinct().ToList();
        var y = ordered.Select(s => (double)names.IndexOf($"class-{s.Label}")).ToArray();
        var arrays = new Dictionary<string, HostTensor>
        {
            ["x"] = new(DataType.Float, [Images, 1, Side, Side], x),
            ["y"] = new(DataType.Int64, [Images], y),
        };
        string npz = temp.File("images.npz");
        NpzArchive.Write(npz, arrays);
        // The same arrays as a folder of x.npy and y.npy.
        Directory.CreateDirectory(temp.File("npy"));
        foreach (var (name, array) in arrays)
            NpyFormat.Write(temp.File(Path.Combine("npy", $"{name}.npy")), array);
        return (folder, npz);
    }

    /// <summary>Every image of a (streamed) image folder's set, decoded.</summary>
    private static byte[] Pixels(DataSet set) =>
        ((ImageFileSamples)set.Inputs).Decode([.. Enumerable.Range(0, (int)set.Count).Select(i => (long)i)]).Values;

    [Fact]
    public void An_image_folder_gives_the_batches_of_the_same_images_as_an_npz()
    {
        using var temp = new TempDirectory();
        var (folder, npz) = WriteFashionImages(temp);
        var images = DataSources.Load(folder, DataSplit.Train, "x", LeNetInput);
        var arrays = DataSources.Load(npz, DataSplit.Train, "x", LeNetInput);

        Assert.Equal(DataType.Uint8, images.Inputs.ElementType);
        Assert.Equal(Images, images.Count);
        Assert.NotNull(images.ClassNames);
        Assert.All(images.ClassNames!, name => Assert.StartsWith("class-", name));
        var all = Enumerable.Range(0, Images).Select(i => (long)i).ToList();
        var fromImages = images.Prepare(all, ScalarType.Float32);
        var fromArrays = arrays.Prepare(all, ScalarType.Float32);
        Assert.Equal((float[])fromArrays.Inputs.Values, (float[])fromImages.Inputs.Values);
        Assert.Equal((long[])fromArrays.Targets.Values, (long[])fromImages.Targets.Values);
    }

    [Fact]
    public void Finetuning_on_an_image_folder_or_npy_files_exports_the_model_the_npz_gives()
    {
        using var temp = new TempDirectory();
        var (folder, npz) = WriteFashionImages(temp);
        string model = Repository.PathOf("models", "lenet5-fashion.onnx");
        // The image folder, the .npz and the folder of .npy files hold the same samples in the same order.
        foreach (var (data, output) in new[] { (folder, "images.onnx"), (npz, "npz.onnx"), (temp.File("npy"), "npy.onnx") })
        {
            var run = CliProcess.Run("finetune", model, "--data", data, "--no-shuffle", "--steps", "3", "--batch-size", "8", "-o", temp.File(output));
            Assert.True(run.ExitCode == 0, run.ToString());
        }
        var expected = Initializers(temp.File("npz.onnx"));
        foreach (string other in new[] { "images.onnx", "npy.onnx" })
        {
            var actual = Initializers(temp.File(other));
            Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
            for (int i = 0; i < actual.Count; i++)
                Assert.True(actual[i].Equals(expected[i]), $"{other}: initializer {actual[i].Name} differs from the .npz run's");
        }
        Assert.NotEqual(Initializers(model), expected);
    }

    private static IReadOnlyList<TensorProto> Initializers(string model) =>
        ModelProto.Parser.ParseFrom(File.ReadAllBytes(model)).Graph.Initializer;

    [Fact]
    public void Rgb_images_for_a_one_channel_model_are_read_as_their_luminance()
    {
        using var temp = new TempDirectory();
        var random = new Random(17);
        var rgb = new byte[Side * Side * 3];
        random.NextBytes(rgb);
        ImageFiles.WriteRgb(temp.File(Path.Combine("rgb", "a", "0.png")), rgb, Side, Side);
        // Extensions are matched whatever their case; a JPEG is lossy, so only its being read is checked.
        ImageFiles.WriteRgb(temp.File(Path.Combine("rgb", "b", "0.PNG")), rgb, Side, Side);
        ImageFiles.WriteRgb(temp.File(Path.Combine("rgb", "c", "0.jpg")), rgb, Side, Side, SkiaSharp.SKEncodedImageFormat.Jpeg);

        var set = DataSources.Load(temp.File("rgb"), DataSplit.Train, "x", LeNetInput);
        var pixels = Pixels(set);
        for (int i = 0; i < Side * Side; i++)
        {
            // PIL's convert('L'): L = R * 299/1000 + G * 587/1000 + B * 114/1000, rounded.
            double expected = Math.Round(rgb[3 * i] * 0.299 + rgb[3 * i + 1] * 0.587 + rgb[3 * i + 2] * 0.114);
            Assert.InRange(pixels[i], expected - 1, expected + 1);
            Assert.Equal(ImageDecoding.Luminance(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]), pixels[i]);
            Assert.Equal(pixels[i], pixels[Side * Side + i]);
        }
        Assert.Equal([0L, 1L, 2L], ((SampleArray<long>)set.Targets).Values);
    }

    [Fact]
    public void Rgb_images_for_a_three_channel_model_keep_their_channels()
    {
        using var temp = new TempDirectory();
        var rgb = new byte[4 * 5 * 3];
        new Random(3).NextBytes(rgb);
        ImageFiles.WriteRgb(temp.File(Path.Combine("rgb", "only", "0.png")), rgb, 4, 5);
        var set = DataSources.Load(temp.File("rgb"), DataSplit.Train, "x", [null, 3, 4, 5]);
        var pixels = Pixels(set);
        for (int i = 0; i < 20; i++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(rgb[3 * i + c], pixels[c * 20 + i]);
    }

    [Fact]
    public void Train_and_test_folders_give_the_two_splits_with_the_train_classes()
    {
        using var temp = new TempDirectory();
        var gray = new byte[Side * Side];
        foreach (var (split, cls, file, value) in new[] { ("train", "cat", "1.png", 10), ("train", "dog", "1.png", 20), ("train", "dog", "2.png", 30), ("test", "dog", "9.png", 40) })
        {
            Array.Fill(gray, (byte)value);
            ImageFiles.WriteGrayPng(temp.File(Path.Combine("pets", split, cls, file)), gray, Side, Side);
        }
        var train = DataSources.Load(temp.File("pets"), DataSplit.Train, "x", LeNetInput);
        var test = DataSources.Load(temp.File("pets"), DataSplit.Test, "x", LeNetInput);
        Assert.Equal(3, train.Count);
        Assert.Equal(["cat", "dog"], train.ClassNames!);
        Assert.Equal([0L, 1L, 1L], ((SampleArray<long>)train.Targets).Values);
        Assert.Equal(1, test.Count);
        // test/ has only "dog": its index is the one train/ gives it.
        Assert.Equal([1L], ((SampleArray<long>)test.Targets).Values);
        Assert.Equal(40, Pixels(test)[0]);

        var eval = CliProcess.Run("eval", Repository.PathOf("models", "lenet5-fashion.onnx"), "--data", temp.File("pets"));
        Assert.True(eval.ExitCode == 0, eval.ToString());
        var finetune = CliProcess.Run("finetune", Repository.PathOf("models", "lenet5-fashion.onnx"), "--data", temp.File("pets"), "--val-data", temp.File("pets"),
            "--steps", "1", "--batch-size", "2", "-o", temp.File("o.onnx"));
        Assert.True(finetune.ExitCode == 0, finetune.ToString());
    }

    [Fact]
    public void A_corrupt_image_exits_2_naming_it()
    {
        using var temp = new TempDirectory();
        var (folder, _) = WriteFashionImages(temp);
        string bad = Directory.GetFiles(Directory.GetDirectories(folder).Order(StringComparer.Ordinal).Last(), "*.png").Order(StringComparer.Ordinal).Last();
        var bytes = File.ReadAllBytes(bad);
        File.WriteAllBytes(bad, bytes[..(bytes.Length / 2)]);
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(bad)!, "zz-not-an-image.jpg"), "this is text"u8.ToArray());

        // Images are decoded batch by batch, so the run must reach the batch that holds them; in file order the truncated
        // image comes before the text file in the last batch, and the first bad image in a batch's order is the one named.
        var run = CliProcess.Run("finetune", Repository.PathOf("models", "lenet5-fashion.onnx"), "--data", folder, "--epochs", "1", "--no-shuffle",
            "-o", temp.File("o.onnx"));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(bad, run.Error);
        Assert.DoesNotContain("zz-not-an-image", run.Error);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.False(File.Exists(temp.File("o.onnx")));
    }

    [Fact]
    public void An_image_of_another_size_exits_2_naming_it_and_resize()
    {
        using var temp = new TempDirectory();
        var (folder, _) = WriteFashionImages(temp);
        string odd = Path.Combine(folder, "class-0", "zz-odd.png");
        ImageFiles.WriteGrayPng(odd, new byte[30 * 32], 30, 32);

        var run = CliProcess.Run("eval", Repository.PathOf("models", "lenet5-fashion.onnx"), "--data", folder);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(odd, run.Error);
        Assert.Contains("30x32", run.Error);
        Assert.Contains("--resize", run.Error);
    }

    [Fact]
    public void An_empty_class_folder_is_refused_naming_it()
    {
        using var temp = new TempDirectory();
        ImageFiles.WriteGrayPng(temp.File(Path.Combine("set", "a", "0.png")), new byte[Side * Side], Side, Side);
        Directory.CreateDirectory(temp.File(Path.Combine("set", "b")));
        var e = Assert.Throws<DataFormatException>(() => DataSources.Load(temp.File("set"), DataSplit.Train, "x", LeNetInput));
        Assert.Contains(Path.Combine("set", "b"), e.Message);
        Assert.Contains("no images", e.Message);
    }

    [Fact]
    public void A_streamed_folder_takes_only_its_file_list_from_the_data_budget_and_decodes_nothing_to_load()
    {
        using var temp = new TempDirectory();
        var (folder, _) = WriteFashionImages(temp);
        // A corrupt image would be the error if anything were decoded at load.
        string bad = Directory.GetFiles(Path.Combine(folder, Directory.GetDirectories(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).First()!)).First();
        File.WriteAllBytes(bad, [1, 2, 3]);
        long pixelBytes = Images * Side * Side;

        // Less than the pixels take, more than the file list and labels: the folder loads, streamed.
        var budget = DataBudget.OfBytes(pixelBytes / 2, "a test budget");
        var set = DataSources.Load(folder, DataSplit.Train, "x", LeNetInput, budget: budget);
        Assert.True(set.IsStreamed);
        Assert.Equal(set.Inputs.HeldBytes + set.Targets.HeldBytes, budget.Reserved);
        Assert.InRange(budget.Reserved, 1, pixelBytes / 2);

        var e = Assert.Throws<DataFormatException>(() =>
            DataSources.Load(folder, DataSplit.Train, "x", LeNetInput, budget: DataBudget.OfBytes(1_000, "a test budget")));
        Assert.Contains("file list and labels of 64 samples", e.Message);
        Assert.Contains("data budget", e.Message);
    }
}
