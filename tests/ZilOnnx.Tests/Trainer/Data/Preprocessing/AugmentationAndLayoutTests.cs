using ZilOnnx.Converter.Tensors;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Data.Preprocessing;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Trainer.Data.Preprocessing;

/// <summary>
/// --augment draws from the seed, the sample and the pass (so a resumed run sees the same batches) and never touches
/// evaluation batches; HWC arrays are transposed to the model's NCHW; the spec survives its JSON.
/// </summary>
public sealed class AugmentationAndLayoutTests
{
    private static DataSet Images(int samples = 6, int side = 8)
    {
        var x = Enumerable.Range(0, samples * side * side).Select(i => (double)(i * 7 % 256)).ToArray();
        return new DataSet("mem", "x", new HostTensor(DataType.Uint8, [samples, 1, side, side], x),
            new HostTensor(DataType.Int64, [samples], new double[samples]))
        {
            Preprocessing = new ImagePreprocessing { Layout = InputLayout.Nchw },
        };
    }

    private static float[] Batch(DataSet data, long? pass, params long[] indices) => (float[])data.Prepare(indices, ScalarType.Float32, pass).Inputs.Values;

    [Fact]
    public void The_same_seed_sample_and_pass_give_the_same_augmentation_and_another_pass_another()
    {
        var augmentation = ImageAugmentation.Parse("hflip,crop:2");
        var first = Images().WithAugmentation(augmentation, seed: 3);
        var again = Images().WithAugmentation(augmentation, seed: 3);
        // A resumed run builds its data afresh and asks for the same step: the same batch, bit for bit.
        Assert.Equal(Batch(first, 4, 0, 1, 2, 3, 4, 5), Batch(again, 4, 0, 1, 2, 3, 4, 5));
        // Sample 2's draw does not depend on its position in the batch.
        Assert.Equal(Batch(first, 4, 0, 1, 2).AsSpan(128, 64).ToArray(), Batch(first, 4, 2).ToArray());
        Assert.NotEqual(Batch(first, 4, 0, 1, 2, 3, 4, 5), Batch(first, 5, 0, 1, 2, 3, 4, 5));
        Assert.NotEqual(Batch(first, 4, 0, 1, 2, 3, 4, 5), Batch(Images().WithAugmentation(augmentation, seed: 4), 4, 0, 1, 2, 3, 4, 5));
        // Unaugmented (evaluation) batches are the plain pixels.
        Assert.Equal(Batch(Images(), null, 0, 1, 2, 3, 4, 5), Batch(first, null, 0, 1, 2, 3, 4, 5));
    }

    [Fact]
    public void A_crop_of_the_padding_keeps_the_pixels_shifted_and_fills_zeros()
    {
        var plain = Batch(Images(1), null, 0);
        var crop = Batch(Images(1).WithAugmentation(ImageAugmentation.Parse("crop:2"), seed: 1), 0, 0);
        // Every augmented pixel is 0 (padding) or a pixel of the image at one fixed shift of at most 2 in each direction.
        bool Shifted(int dy, int dx)
        {
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                {
                    int sy = y + dy, sx = x + dx;
                    float want = sy is >= 0 and < 8 && sx is >= 0 and < 8 ? plain[sy * 8 + sx] : 0f;
                    if (crop[y * 8 + x] != want) return false;
                }
            return true;
        }
        Assert.Single(from dy in Enumerable.Range(-2, 5) from dx in Enumerable.Range(-2, 5) where Shifted(dy, dx) select (dy, dx));
    }

    [Fact]
    public void Hwc_arrays_are_transposed_to_the_models_nchw_with_a_notice()
    {
        using var temp = new TempDirectory();
        string npz = temp.File("hwc.npz");
        // Element (n, h, w, c) = 1000n + 100h + 10w + c, so the transposed position of every value is known.
        var x = new double[2 * 4 * 5 * 3];
        for (int n = 0; n < 2; n++) for (int h = 0; h < 4; h++) for (int w = 0; w < 5; w++) for (int c = 0; c < 3; c++)
            x[((n * 4 + h) * 5 + w) * 3 + c] = 1000 * n + 100 * h + 10 * w + c;
        NpzArchive.Write(npz, new Dictionary<string, HostTensor> { ["x"] = new(DataType.Float, [2, 4, 5, 3], x), ["y"] = new(DataType.Int64, [2], [0, 1]) });

        var auto = DataSources.Load(npz, DataSplit.Train, "x", [null, 3, 4, 5]);
        var given = DataSources.Load(npz, DataSplit.Train, "x", [null, 3, 4, 5], preprocessing: new ImagePreprocessing { Layout = InputLayout.Nhwc });
        Assert.Equal([2L, 3, 4, 5], auto.Inputs.Shape);
        Assert.Contains(auto.Notices, n => n.Contains("transposed to NCHW"));
        var values = (double[])auto.Prepare([0, 1], ScalarType.Float64).Inputs.Values;
        for (int n = 0; n < 2; n++) for (int c = 0; c < 3; c++) for (int h = 0; h < 4; h++) for (int w = 0; w < 5; w++)
            Assert.Equal(1000 * n + 100 * h + 10 * w + c, values[((n * 3 + c) * 4 + h) * 5 + w]);
        Assert.Equal(values, (double[])given.Prepare([0, 1], ScalarType.Float64).Inputs.Values);
    }

    [Fact]
    public void A_resize_of_arrays_is_refused()
    {
        var e = Assert.Throws<DataFormatException>(() => DataSources.Load(Fixtures.PathOf("lenet5.ce.npz"), DataSplit.Train, "x", [null, 1, 28, 28],
            preprocessing: new ImagePreprocessing { Resize = [28, 28] }));
        Assert.Contains("apply to image files", e.Message);
    }

    [Fact]
    public void The_spec_survives_its_json_and_bad_json_says_what_is_wrong()
    {
        var spec = new ImagePreprocessing { Resize = [256], CenterCrop = [224, 224], Mean = [0.485, 0.456, 0.406], Std = [0.229, 0.224, 0.225], Layout = "nchw", Channels = 3 };
        var back = ImagePreprocessing.FromJson(spec.ToJson());
        Assert.Equal(spec.ToJson(), back.ToJson());
        Assert.Equal(spec.Mean, back.Mean);
        Assert.Contains("std must be", Assert.Throws<System.Text.Json.JsonException>(() => ImagePreprocessing.FromJson("{\"std\":[0]}")).Message);
    }
}
