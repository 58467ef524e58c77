using System.Text.Json;
using System.Text.Json.Nodes;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Data.Preprocessing;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Trainer.Data.Preprocessing;

/// <summary>
/// Resize, CenterCrop, ToTensor and Normalize against torchvision 0.14's own outputs on PIL images
/// (tests/fixtures/preprocess/generate.py): downscales by non-integer factors, upscales, odd crops, a crop larger than
/// the image (zero padding), RGB and grayscale. The whole pipeline runs as the product runs it: decode and resize/crop
/// into uint8 (<see cref="ImageDecoding.DecodeInto"/>), gather as float32, normalize.
/// </summary>
public sealed class TorchvisionParityTests
{
    private static string Folder => Fixtures.PathOf("preprocess");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in ReadCases()) data.Add(c!["name"]!.GetValue<string>());
        return data;
    }

    private static JsonArray ReadCases() => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json")))!["cases"]!.AsArray();

    /// <summary>
    /// PNG: bitwise. JPEG: PIL and SkiaSharp decode with different libjpeg builds, whose IDCT and chroma upsampling may
    /// round a pixel differently by a few levels; the resampling and arithmetic after decoding are the same, so the JPEG
    /// cases allow 8/255 per value before normalization (a decoded value off by a few levels, resampled), times 1/std.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void The_pipeline_gives_torchvisions_float32_values(string name)
    {
        var node = ReadCases().Single(c => c!["name"]!.GetValue<string>() == name)!;
        var spec = JsonSerializer.Deserialize<ImagePreprocessing>(node.ToJsonString())!;
        string image = node["image"]!.GetValue<string>();
        var expected = Fixtures.Arrays(Path.Combine("preprocess", "expected.npz"))[name];
        int channels = (int)expected.Shape[0], height = (int)expected.Shape[1], width = (int)expected.Shape[2];

        var pixels = (SampleArray<byte>)SampleArray.Allocate(DataType.Uint8, [1, channels, height, width]);
        ImageDecoding.DecodeInto(Path.Combine(Folder, image), new ImageGeometry(channels, height, width, InputLayout.Nchw), pixels.Values, spec);
        var values = (float[])pixels.Gather([0], ScalarType.Float32);
        ChannelNormalization.For(spec, [channels, height, width], channelAxis: 1, image)?.Apply(values, [1, channels, height, width]);

        bool jpeg = image.EndsWith(".jpg", StringComparison.Ordinal);
        double tolerance = jpeg ? 8.0 / 255 / (spec.Std?.Min() ?? 1.0) : 0.0;
        for (int i = 0; i < values.Length; i++)
        {
            float want = (float)expected.Values[i];
            if (jpeg) Assert.True(Math.Abs(values[i] - want) <= tolerance, $"{name} ({image}) element {i}: {values[i]} vs torchvision {want}");
            else Assert.True(BitConverter.SingleToInt32Bits(values[i]) == BitConverter.SingleToInt32Bits(want), $"{name} ({image}) element {i}: {values[i]:R} vs torchvision {want:R}");
        }
    }

    [Theory]
    [InlineData(37, 53, 24, 24, 34)]   // landscape: the height is the shorter side
    [InlineData(53, 37, 24, 34, 24)]   // portrait
    [InlineData(10, 7, 13, 18, 13)]    // upscaled: int(13 * 10 / 7) = 18
    [InlineData(20, 20, 5, 5, 5)]
    public void Resize_to_one_size_puts_the_shorter_side_there_and_truncates_the_longer(int height, int width, int size, int newHeight, int newWidth) =>
        Assert.Equal((newHeight, newWidth), ImageTransforms.ResizedSize([size], height, width));

    [Fact]
    public void Centre_crop_offsets_round_half_to_even_as_python_does()
    {
        // A 1x6 row cropped to 1x3: (6 - 3) / 2 = 1.5 rounds to 2 (Python's round), so the crop starts at column 2.
        byte[] row = [0, 1, 2, 3, 4, 5];
        var crop = new byte[3];
        ImageTransforms.CenterCropPlane(row, 1, 6, crop, 1, 3);
        Assert.Equal(new byte[] { 2, 3, 4 }, crop);
        // 1x5 to 1x2: 1.5 again rounds to 2.
        crop = new byte[2];
        ImageTransforms.CenterCropPlane(row.AsSpan(0, 5), 1, 5, crop, 1, 2);
        Assert.Equal(new byte[] { 2, 3 }, crop);
    }
}
