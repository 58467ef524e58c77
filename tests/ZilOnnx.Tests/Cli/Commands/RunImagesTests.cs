using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;

namespace ZilOnnx.Tests.Cli.Commands;

/// <summary>
/// `zilonnx run` on image files and folders (Fashion-MNIST test images written as PNGs): both engines name the same
/// classes, the probabilities are the softmax of the logits the same pixels give as an .npz, and the top classes
/// account for eval's top-1 accuracy on the same folder.
/// </summary>
public sealed class RunImagesTests
{
    private static readonly string Model = Repository.PathOf("models", "lenet5-fashion.onnx");

    private static JsonElement[] RunJson(params string[] arguments)
    {
        var run = CliProcess.Run(["run", Model, .. arguments, "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Output).RootElement.EnumerateArray().ToArray();
    }

    [Fact]
    public void A_folder_gives_the_same_classes_with_both_engines_and_the_softmax_of_the_npz_logits()
    {
        using var temp = new TempDirectory();
        var images = FashionImages.Write(temp.File("images"), perClass: 3);
        var pcn = RunJson("--data", temp.File("images"), "--top", "3");
        var ort = RunJson("--data", temp.File("images"), "--top", "3", "--engine", "ort");

        // The same pixels as float32 in [0, 1], through ONNX Runtime's output y (logits) of the .npz form of run.
        string npz = temp.File("x.npz");
        NpzArchive.Write(npz, new Dictionary<string, HostTensor>
        {
            ["x"] = new(TensorProto.Types.DataType.Float, [images.Count, 1, FashionImages.Side, FashionImages.Side],
                [.. images.SelectMany(i => i.Pixels.Select(p => p / 255.0))]),
        });
        var arrays = CliProcess.Run("run", Model, "--data", npz, "-o", temp.File("y.npz"), "--engine", "ort");
        Assert.True(arrays.ExitCode == 0, arrays.ToString());
        var logits = NpzArchive.Read(temp.File("y.npz"))["y"];

        Assert.Equal(images.Count, pcn.Length);
        Assert.Equal(images.Count, ort.Length);
        for (int n = 0; n < images.Count; n++)
        {
            Assert.Equal(images[n].File, pcn[n].GetProperty("file").GetString());
            Assert.Equal(images[n].File, ort[n].GetProperty("file").GetString());
            var pcnTop = pcn[n].GetProperty("top").EnumerateArray().ToArray();
            var ortTop = ort[n].GetProperty("top").EnumerateArray().ToArray();
            Assert.Equal(3, ortTop.Length);
            var row = logits.Values.AsSpan(n * 10, 10).ToArray();
            var softmax = row.Select(v => Math.Exp(v - row.Max())).ToArray();
            double sum = softmax.Sum();
            for (int k = 0; k < 3; k++)
            {
                int index = ortTop[k].GetProperty("index").GetInt32();
                double probability = ortTop[k].GetProperty("probability").GetDouble();
                // The model carries no class names: classes are named by their index.
                Assert.Equal(index.ToString(), ortTop[k].GetProperty("class").GetString());
                // Same engine, same float32 input: the same logits; only the softmax's double rounding may differ.
                Assert.Equal(softmax[index] / sum, probability, 1e-12);
                if (k > 0) Assert.True(probability <= ortTop[k - 1].GetProperty("probability").GetDouble());
                // TorchSharp and ONNX Runtime are two float32 engines: logits agree to ~1e-6 relative, so
                // probabilities within 1e-4 absolute (and these images have no near-ties in the top class).
                Assert.Equal(probability, pcnTop[k].GetProperty("probability").GetDouble(), 1e-4);
            }
            Assert.Equal(ortTop[0].GetProperty("index").GetInt32(), pcnTop[0].GetProperty("index").GetInt32());
        }

        // eval on the same folder (its classes are the labels) counts as right exactly the images whose top class is their label.
        var eval = CliProcess.Run("eval", Model, "--data", temp.File("images"), "--provider", "cpu", "--json");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        double top1 = JsonDocument.Parse(eval.Output).RootElement.GetProperty("top1").GetDouble();
        int right = Enumerable.Range(0, images.Count).Count(n => ort[n].GetProperty("top")[0].GetProperty("index").GetInt32() == images[n].Label);
        Assert.Equal((double)right / images.Count, top1, 12);
    }

    [Fact]
    public void Single_images_print_one_line_each_and_o_writes_the_outputs_with_the_file_order()
    {
        using var temp = new TempDirectory();
        var images = FashionImages.Write(temp.File("images"), perClass: 1);
        string[] files = [images[3].File, images[0].File];
        var run = CliProcess.Run(["run", Model, "--data", .. files, "-o", temp.File("out.npz")]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("wrote ")).ToArray();
        Assert.Equal(2, lines.Length);
        var json = RunJson(["--data", .. files]);
        for (int i = 0; i < 2; i++)
        {
            var top = json[i].GetProperty("top")[0];
            Assert.Equal($"{files[i]}: {top.GetProperty("class").GetString()} {top.GetProperty("probability").GetDouble():F4}", lines[i]);
        }

        using var zip = ZipFile.OpenRead(temp.File("out.npz"));
        using (var y = zip.GetEntry("y.npy")!.Open())
            Assert.Equal([2, 10], NpyFormat.Read(y, "out.npz", "y").Shape);
        Assert.Equal(files, ReadStrings(zip.GetEntry("files.npy")!));
    }

    [Fact]
    public void A_corrupt_image_and_one_of_the_wrong_size_are_one_error_line_naming_the_file()
    {
        using var temp = new TempDirectory();
        FashionImages.Write(temp.File("images"), perClass: 1);
        string corrupt = temp.File(Path.Combine("images", "3-Dress", "broken.png"));
        File.WriteAllBytes(corrupt, Encoding.ASCII.GetBytes("not a png at all"));
        AssertOneError(CliProcess.Run("run", Model, "--data", temp.File("images")), corrupt, "not a PNG, JPEG, BMP, GIF or WebP image (its contents are none of these)");

        string wide = temp.File("wide.png");
        ImageFiles.WriteGrayPng(wide, new byte[28 * 32], 28, 32);
        AssertOneError(CliProcess.Run("run", Model, "--data", wide, "--engine", "ort"), wide, "the image is 28x32 (HxW) but the model expects 28x28; resize the images (--resize 28,28)");

        var noTop = CliProcess.Run("run", Model, "--data", wide, "--top", "0");
        Assert.True(noTop.ExitCode == 1, noTop.ToString());
        Assert.Equal("error: --top must be a positive whole number, got 0", noTop.Error.TrimEnd('\n'));

        var noOutput = CliProcess.Run("run", Model, "--data", temp.File("x.npz"));
        Assert.True(noOutput.ExitCode == 1, noOutput.ToString());
        Assert.Contains("-o OUT.npz is required with an .npz", noOutput.Error);
    }

    private static void AssertOneError(CliProcess.Result run, string file, string problem)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("", run.Output);
        Assert.Equal($"error: {file}: {problem}", run.Error.TrimEnd('\n'));
    }

    /// <summary>A NumPy '&lt;U' array: a header naming its width, then each element in UTF-32LE padded with zeros.</summary>
    private static string[] ReadStrings(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        byte[] bytes = buffer.ToArray();
        int headerLength = BitConverter.ToUInt16(bytes, 8);
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        var match = System.Text.RegularExpressions.Regex.Match(header, @"'descr': '<U(\d+)'.*'shape': \((\d+),\)");
        Assert.True(match.Success, header);
        int width = int.Parse(match.Groups[1].Value), count = int.Parse(match.Groups[2].Value);
        return [.. Enumerable.Range(0, count).Select(i => Encoding.UTF32.GetString(bytes, 10 + headerLength + i * 4 * width, 4 * width).TrimEnd('\0'))];
    }
}
