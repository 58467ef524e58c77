using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>
/// uint8 inputs are images wherever they come from: in an .npz or .npy they are scaled to [0, 1] as IDX pixels are
/// (earlier builds fed them unscaled, so the change is said once as a note), held as bytes, and other integer inputs
/// for a floating-point model are refused with the types that are accepted.
/// </summary>
public sealed class PixelInputTests
{
    private static readonly HostTensor Pixels = new(DataType.Uint8, [32, 1, 28, 28], Enumerable.Range(0, 32 * 784).Select(i => (double)(i * 7 % 256)).ToArray());
    private static readonly HostTensor Labels = new(DataType.Int64, [32], Enumerable.Range(0, 32).Select(i => (double)(i % 10)).ToArray());

    private static string WriteNpz(TempDirectory temp, HostTensor x)
    {
        string path = temp.File("pixels.npz");
        NpzArchive.Write(path, new Dictionary<string, HostTensor> { ["x"] = x, ["y"] = Labels });
        return path;
    }

    [Fact]
    public void Uint8_inputs_of_an_npz_are_held_as_bytes_and_scaled_like_idx_pixels_with_a_note()
    {
        using var temp = new TempDirectory();
        string path = WriteNpz(temp, Pixels);
        var set = DataSources.Load(path, DataSplit.Train, "x", [null, 1, 28, 28]);

        Assert.IsType<SampleArray<byte>>(set.Inputs);
        long[] indices = [5, 0, 31];
        var float32 = (float[])set.Prepare(indices, ScalarType.Float32).Inputs.Values;
        var float64 = (double[])set.Prepare(indices, ScalarType.Float64).Inputs.Values;
        for (int i = 0; i < float32.Length; i++)
        {
            double v = Pixels.Values[indices[i / 784] * 784 + i % 784];
            // The IDX rule, exactly: v / 255.0 in double, then rounded once to float32.
            Assert.Equal(v / 255.0, float64[i]);
            Assert.Equal((float)(v / 255.0), float32[i]);
        }
        Assert.Equal(255 / 255.0, float64.Max());
        string note = Assert.Single(set.Notices);
        Assert.Equal($"{path}: x is uint8, read as pixel intensities and scaled to [0, 1] (v / 255) like IDX images (earlier builds fed uint8 inputs unscaled, 0..255)", note);
    }

    [Fact]
    public void Float_inputs_and_idx_folders_give_no_such_note()
    {
        Assert.Empty(DataSources.Load(Fixtures.PathOf("lenet5.ce.npz"), DataSplit.Train, "x", []).Notices);
        Assert.Empty(DataSources.Load(FashionMnistLookup.EmbeddedFolder, DataSplit.Test, "x", [null, 1, 28, 28]).Notices);
    }

    [Theory]
    [InlineData(DataType.Int32, "int32")]
    [InlineData(DataType.Int64, "int64")]
    [InlineData(DataType.Int8, "int8")]
    [InlineData(DataType.Uint16, "uint16")]
    [InlineData(DataType.Bool, "bool")]
    public void Other_integer_inputs_for_a_float_model_are_refused_with_the_types_it_takes(DataType type, string name)
    {
        using var temp = new TempDirectory();
        string path = WriteNpz(temp, new HostTensor(type, Pixels.Shape, Pixels.Values.Select(v => type == DataType.Bool ? v % 2 : v % 100).ToArray()));
        var e = Assert.Throws<DataFormatException>(() => DataSources.Load(path, DataSplit.Train, "x", [null, 1, 28, 28]));
        Assert.Equal($"{path}, array 'x': inputs must be floating point (float16, float32 or float64) or uint8 images (scaled to [0, 1]) " +
                     $"for a floating-point model input, got {name}", e.Message);
    }

    [Fact]
    public void The_note_reaches_the_user_once_through_the_program()
    {
        using var temp = new TempDirectory();
        string path = WriteNpz(temp, Pixels);
        var run = CliProcess.Run("verify", Repository.PathOf("models", "lenet5-fashion.onnx"), "--data", path, "--batch-size", "8");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(run.Error.Split('\n'), l => l.StartsWith("note: ", StringComparison.Ordinal) && l.Contains("x is uint8"));
    }
}
