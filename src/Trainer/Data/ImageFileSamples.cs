using ZilOnnx.Converter.Tensors;
using ZilOnnx.Trainer.Data.Preprocessing;
using static TorchSharp.torch;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// Images streamed from their files: only the file list is held. A batch's images are decoded when the batch is
/// gathered (<see cref="Decode"/>, on all cores) into uint8 [n, C, H, W] and converted from there exactly as held pixels
/// are (<see cref="SampleArray{T}.Gather"/>), so a streamed batch is bitwise the batch of the same images held in memory.
/// </summary>
public sealed class ImageFileSamples : SampleSource
{
    private readonly IReadOnlyList<string> files;
    private readonly int channels, height, width;
    private readonly ImagePreprocessing preprocessing;
    private readonly bool channelsLast;

    /// <param name="preprocessing">The resize and crop each image is decoded with (<see cref="ImageDecoding.DecodeInto"/>).</param>
    /// <param name="channelsLast">Images are [H, W, C] (a model whose input has its channels last), else [C, H, W].</param>
    public ImageFileSamples(IReadOnlyList<string> files, int channels, int height, int width, ImagePreprocessing preprocessing, bool channelsLast)
        : this(files, channels, height, width, preprocessing, channelsLast,
            channelsLast ? [files.Count, height, width, channels] : [files.Count, channels, height, width]) { }

    private ImageFileSamples(IReadOnlyList<string> files, int channels, int height, int width, ImagePreprocessing preprocessing, bool channelsLast,
        long[] shape) : base(DataType.Uint8, shape)
    {
        if (HostTensor.ElementCount(shape) != (long)files.Count * channels * height * width)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] does not hold {files.Count} images of {channels}x{height}x{width}");
        this.files = files;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.preprocessing = preprocessing;
        this.channelsLast = channelsLast;
    }

    /// <summary>The paths' characters and a string's overhead (about 26 bytes in .NET) for each file.</summary>
    public override long HeldBytes => files.Sum(f => 2L * f.Length + 26 + IntPtr.Size);

    public override ImageFileSamples WithShape(long[] shape) => new(files, channels, height, width, preprocessing, channelsLast, shape);

    public override ImageFileSamples Rows(IReadOnlyList<long> indices) =>
        new(indices.Select(i => files[checked((int)i)]).ToList(), channels, height, width, preprocessing, channelsLast, [indices.Count, .. Shape[1..]]);

    public override Array Gather(IReadOnlyList<long> indices, ScalarType type) =>
        Decode(indices).Gather(Enumerable.Range(0, indices.Count).Select(i => (long)i).ToList(), type);

    /// <summary>Decodes the one image the element is in.</summary>
    public override double ValueAt(long index) => Decode([index / SampleSize]).Values[index % SampleSize];

    /// <summary>Pixels are uint8: none is NaN or infinite, so nothing needs decoding to know it.</summary>
    public override long IndexOfNonFinite() => -1;

    /// <summary>
    /// The images at the given indices, in that order, as uint8 [n, C, H, W]. Images are independent, so they are decoded
    /// on all cores; where several cannot be, the first in the given order is the one reported, whichever thread met it first.
    /// </summary>
    public SampleArray<byte> Decode(IReadOnlyList<long> indices)
    {
        var pixels = (SampleArray<byte>)SampleArray.Allocate(DataType.Uint8, [indices.Count, .. Shape[1..]]);
        int size = checked((int)SampleSize);
        var failures = new DataFormatException?[indices.Count];
        Parallel.For(0, indices.Count, i =>
        {
            string file = files[checked((int)indices[i])];
            try { ImageDecoding.DecodeInto(file, channels, height, width, pixels.Values.AsSpan(i * size, size), preprocessing, channelsLast); }
            catch (DataFormatException e) { failures[i] = e; }
            catch (Exception e) when (e is not OutOfMemoryException) { failures[i] = new DataFormatException(file, null, $"the image cannot be decoded: {e.Message}", e); }
        });
        if (failures.FirstOrDefault(f => f != null) is { } failure)
            throw failure;
        return pixels;
    }
}
